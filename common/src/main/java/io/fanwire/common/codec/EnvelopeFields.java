package io.fanwire.common.codec;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ProtocolException;

/**
 * The keys of an envelope as a decoder meets them, in any order, and the checks that need all of them.
 * Both decoders fill one of these, so that JSON and msgpack accept and reject exactly the same messages.
 */
final class EnvelopeFields {

    static final String TOPIC = "tp";
    static final String EPOCH = "e";
    static final String OFFSET = "o";
    static final String CATEGORY = "c";
    static final String TYPE = "t";
    static final String TYPE_ALIAS = "type";
    static final String PAYLOAD = "p";
    static final String PAYLOAD_ALIAS = "payload";
    static final String ID = "id";
    static final String TIMESTAMP = "ts";
    static final String SEQ = "seq";
    static final String CORRELATION_ID = "cid";
    static final String PRIORITY = "pri";
    static final String SIGNATURE = "sig";
    static final String VERSION = "v";

    String topic;
    String epoch;
    boolean hasOffset;
    long offset = Envelope.NO_OFFSET;
    String category;
    String type;
    String typeAlias;
    ObjectNode payload;
    ObjectNode payloadAlias;
    String id;
    String timestamp;
    long seq = Envelope.NO_SEQ;
    String correlationId;
    Integer priority;
    String signature;
    int version = Envelope.NO_VERSION;

    void offset(long offset) {
        this.offset = offset;
        this.hasOffset = true;
    }

    /** {@code value} as an {@code int} key, or an error naming {@code key}. */
    static int int32(String key, long value) throws ProtocolException {
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw DecodeErrors.invalid(key + ": " + value + " is out of range (expected: a 32-bit integer)");
        }
        return (int) value;
    }

    /**
     * The envelope, after the checks that span keys. The canonical keys win over their aliases
     * ({@code t} over {@code type}, {@code p} over {@code payload}) whatever their order.
     */
    Envelope build() throws ProtocolException {
        String t = type != null ? type : typeAlias;
        if (t == null) {
            throw DecodeErrors.invalid("t: missing (expected: the event type)");
        }
        if (t.isEmpty()) {
            throw DecodeErrors.invalid("t: empty (expected: the event type)");
        }
        ObjectNode p = payload != null ? payload : payloadAlias != null ? payloadAlias : Envelope.newPayload();
        if (topic != null) {
            if (epoch == null) {
                throw DecodeErrors.invalid("e: missing (required with tp)");
            }
            if (!hasOffset) {
                throw DecodeErrors.invalid("o: missing (required with tp)");
            }
            if (offset < 0) {
                throw DecodeErrors.invalid("o: " + offset + " (expected: >= 0)");
            }
        } else if (epoch != null || hasOffset) {
            throw DecodeErrors.invalid("e/o without tp");
        }
        if (seq < 0) {
            throw DecodeErrors.invalid("seq: " + seq + " (expected: >= 0)");
        }
        return new Envelope(topic, epoch, offset, category, t, p, id, timestamp, seq, correlationId, priority,
                signature, version);
    }
}
