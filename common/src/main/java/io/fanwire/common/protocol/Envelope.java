package io.fanwire.common.protocol;

import java.util.Objects;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One protocol message as it travels on the wire (docs/PROTOCOL.md §2), in either encoding.
 *
 * <p>Absent optional keys are {@code null}, except the numbers: {@link #offset()} is {@link #NO_OFFSET},
 * {@link #seq()} is {@link #NO_SEQ} and {@link #version()} is {@link #NO_VERSION} when absent. The payload
 * is never {@code null}: a message without {@code p} has an empty object.
 *
 * @param topic the topic of a publication ({@code tp}); with {@code epoch} and {@code offset} it forms the recovery stamp
 * @param epoch the topic stream's epoch ({@code e}), 8 hex digits
 * @param offset the publication's offset in its stream ({@code o})
 * @param category {@code c}: {@link Categories#SYSTEM}, {@link Categories#SNAPSHOT} or {@link Categories#UPDATE}
 * @param type the event type ({@code t})
 * @param payload the payload object ({@code p})
 * @param id the message id ({@code id}), a UUIDv7 on server-originated events
 * @param timestamp {@code ts}, ISO-8601 UTC with milliseconds
 * @param seq the per-connection diagnostic counter ({@code seq})
 * @param correlationId {@code cid}: a reply carries its request's value
 * @param priority {@code pri}, passed through untouched
 * @param signature {@code sig}, passed through untouched
 * @param version the protocol version ({@code v})
 */
public record Envelope(
        String topic,
        String epoch,
        long offset,
        String category,
        String type,
        ObjectNode payload,
        String id,
        String timestamp,
        long seq,
        String correlationId,
        Integer priority,
        String signature,
        int version) {

    /** {@link #offset()} of a message without a recovery stamp. */
    public static final long NO_OFFSET = -1;
    /** {@link #seq()} of a message without {@code seq}. */
    public static final long NO_SEQ = 0;
    /** {@link #version()} of a message without {@code v}. */
    public static final int NO_VERSION = 0;
    /** The protocol version this library speaks. */
    public static final int PROTOCOL_VERSION = 1;

    public Envelope {
        Objects.requireNonNull(type, "type");
        if (type.isEmpty()) {
            throw new IllegalArgumentException("type: \"\" (expected: a non-empty event type)");
        }
        Objects.requireNonNull(payload, "payload");
        if (topic != null) {
            Objects.requireNonNull(epoch, "epoch (required with a topic)");
            if (offset < 0) {
                throw new IllegalArgumentException("offset: " + offset + " (expected: >= 0 with a topic)");
            }
        } else if (epoch != null || offset != NO_OFFSET) {
            throw new IllegalArgumentException("epoch/offset without a topic");
        }
        if (seq < 0) {
            throw new IllegalArgumentException("seq: " + seq + " (expected: >= 0)");
        }
    }

    /** An application update ({@code c = "U"}, {@code v = 1}) of {@code type} with {@code payload}. */
    public static Envelope of(String type, ObjectNode payload) {
        return new Envelope(null, null, NO_OFFSET, Categories.UPDATE, type, payload,
                null, null, NO_SEQ, null, null, null, PROTOCOL_VERSION);
    }

    /** A system message ({@code c = "WSE"}, {@code v = 1}) of {@code type} with {@code payload}. */
    public static Envelope system(String type, ObjectNode payload) {
        return new Envelope(null, null, NO_OFFSET, Categories.SYSTEM, type, payload,
                null, null, NO_SEQ, null, null, null, PROTOCOL_VERSION);
    }

    /** A new empty payload object. */
    public static ObjectNode newPayload() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** Whether this message carries a recovery stamp ({@code tp}, {@code e}, {@code o}). */
    public boolean stamped() {
        return topic != null;
    }

    /** This message with the recovery stamp of a topic publication. */
    public Envelope withStamp(String topic, String epoch, long offset) {
        return new Envelope(Objects.requireNonNull(topic, "topic"), epoch, offset, category, type, payload,
                id, timestamp, seq, correlationId, priority, signature, version);
    }

    /** This message with the server-assigned id, timestamp and per-connection sequence number. */
    public Envelope withMeta(String id, String timestamp, long seq) {
        return new Envelope(topic, epoch, offset, category, type, payload,
                id, timestamp, seq, correlationId, priority, signature, version);
    }

    /** This message with a correlation id ({@code cid}). */
    public Envelope withCorrelationId(String correlationId) {
        return new Envelope(topic, epoch, offset, category, type, payload,
                id, timestamp, seq, correlationId, priority, signature, version);
    }

    /** This message with another category. */
    public Envelope withCategory(String category) {
        return new Envelope(topic, epoch, offset, category, type, payload,
                id, timestamp, seq, correlationId, priority, signature, version);
    }
}
