package io.fanwire.common.codec;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessageInsufficientBufferException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageSizeException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.core.buffer.MessageBuffer;
import org.msgpack.core.buffer.MessageBufferOutput;
import org.msgpack.value.ValueType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ProtocolException;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The msgpack form of the {@link Envelope}: the same keys, order and rules as {@link JsonEnvelopeCodec},
 * on msgpack-java's streaming {@link MessageUnpacker} and {@link MessagePacker}. Thread-safe; share one
 * instance.
 *
 * <p>msgpack declares lengths up front, which is exactly what a hostile peer lies about. Every array, map,
 * string and binary header is checked against the bytes that remain before anything is allocated (an
 * element needs at least one byte, a map entry two), and against {@link DecodeLimits#maxStringBytes()};
 * a claim that cannot be true, or nesting deeper than {@link DecodeLimits#maxDepth()} (the top-level map
 * counts as depth 1, as in JSON), is rejected with {@code MESSAGE_TOO_LARGE} and close 1009. Truncated
 * input, extension types (including timestamps), non-string map keys, invalid UTF-8 and trailing bytes are
 * {@code INVALID_MESSAGE}. Trees are built without recursion.
 *
 * <p>Payload values map to Jackson nodes: maps to objects, arrays, strings, booleans, nil, integers
 * ({@code IntNode} when they fit 32 bits, else {@code LongNode}, {@code BigIntegerNode} above
 * {@code Long.MAX_VALUE}), float32 to {@code FloatNode} and float64 to {@code DoubleNode}. Binary values
 * become {@link BinaryNode}s, so msgpack-to-msgpack keeps the bytes and msgpack-to-JSON writes them as
 * base64 text. On encoding, numbers that msgpack cannot carry exactly (integers beyond 64 bits,
 * {@code BigDecimal}) are written as float64.
 */
public final class MsgpackEnvelopeCodec extends EnvelopeCodec {

    private static final int CHUNK_BYTES = 8192;
    /** Deeper payload trees are refused on encoding, like Jackson's default write constraint. */
    private static final int MAX_ENCODE_DEPTH = 1000;

    private static final MessagePack.UnpackerConfig UNPACKER_CONFIG = new MessagePack.UnpackerConfig()
            .withAllowReadingBinaryAsString(false)
            .withAllowReadingStringAsBinary(false);
    // Strings always take the String.getBytes path: it is intrinsified, and the packer's CharsetEncoder
    // path for long strings would ask the output for a buffer of six bytes per character.
    private static final MessagePack.PackerConfig PACKER_CONFIG = new MessagePack.PackerConfig()
            .withSmallStringOptimizationThreshold(Integer.MAX_VALUE)
            .withBufferFlushThreshold(CHUNK_BYTES);

    private static final FastThreadLocal<byte[]> CHUNKS = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[CHUNK_BYTES];
        }
    };

    private static final byte[] TOPIC = key(EnvelopeFields.TOPIC);
    private static final byte[] EPOCH = key(EnvelopeFields.EPOCH);
    private static final byte[] OFFSET = key(EnvelopeFields.OFFSET);
    private static final byte[] CATEGORY = key(EnvelopeFields.CATEGORY);
    private static final byte[] TYPE = key(EnvelopeFields.TYPE);
    private static final byte[] PAYLOAD = key(EnvelopeFields.PAYLOAD);
    private static final byte[] ID = key(EnvelopeFields.ID);
    private static final byte[] TIMESTAMP = key(EnvelopeFields.TIMESTAMP);
    private static final byte[] SEQ = key(EnvelopeFields.SEQ);
    private static final byte[] CORRELATION_ID = key(EnvelopeFields.CORRELATION_ID);
    private static final byte[] PRIORITY = key(EnvelopeFields.PRIORITY);
    private static final byte[] SIGNATURE = key(EnvelopeFields.SIGNATURE);
    private static final byte[] VERSION = key(EnvelopeFields.VERSION);

    /** A codec that rejects input beyond {@code limits}. */
    public MsgpackEnvelopeCodec(DecodeLimits limits) {
        super("msgpack", limits);
    }

    /** A key pre-encoded as a msgpack fixstr, written verbatim. */
    private static byte[] key(String name) {
        byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        byte[] key = new byte[1 + ascii.length];
        key[0] = (byte) (0xa0 | ascii.length);
        System.arraycopy(ascii, 0, key, 1, ascii.length);
        return key;
    }

    @Override
    Envelope decodeWithinLimit(byte[] bytes, int offset, int length) throws ProtocolException {
        if (length == 0) {
            throw DecodeErrors.invalid("empty message");
        }
        MessageUnpacker unpacker = UNPACKER_CONFIG.newUnpacker(bytes, offset, length);
        try {
            return new Reader(unpacker, bytes, offset, length, limits()).readEnvelope();
        } catch (MessageSizeException e) {
            // A 32-bit length with the top bit set: more than 2 GiB claimed.
            throw DecodeErrors.tooLarge("msgpack length header exceeds the message", e);
        } catch (MessageInsufficientBufferException e) {
            throw DecodeErrors.invalid("truncated msgpack", e);
        } catch (MessagePackException | IOException e) {
            throw DecodeErrors.invalid("malformed msgpack: " + e.getMessage(), e);
        }
    }

    /** Writes {@code envelope} as msgpack to {@code out}, which it neither flushes nor closes. */
    @Override
    public void encode(Envelope envelope, OutputStream out) throws IOException {
        write(envelope, out);
    }

    private static void write(Envelope envelope, OutputStream out) throws IOException {
        MessagePacker packer = PACKER_CONFIG.newPacker(new ChunkOutput(CHUNKS.get(), out));
        int keys = 2
                + (envelope.stamped() ? 3 : 0)
                + (envelope.category() != null ? 1 : 0)
                + (envelope.id() != null ? 1 : 0)
                + (envelope.timestamp() != null ? 1 : 0)
                + (envelope.seq() != Envelope.NO_SEQ ? 1 : 0)
                + (envelope.correlationId() != null ? 1 : 0)
                + (envelope.priority() != null ? 1 : 0)
                + (envelope.signature() != null ? 1 : 0)
                + (envelope.version() != Envelope.NO_VERSION ? 1 : 0);
        packer.packMapHeader(keys);
        if (envelope.stamped()) {
            packer.writePayload(TOPIC).packString(envelope.topic());
            packer.writePayload(EPOCH).packString(envelope.epoch());
            packer.writePayload(OFFSET).packLong(envelope.offset());
        }
        if (envelope.category() != null) {
            packer.writePayload(CATEGORY).packString(envelope.category());
        }
        packer.writePayload(TYPE).packString(envelope.type());
        packer.writePayload(PAYLOAD);
        packNode(packer, envelope.payload(), 1);
        if (envelope.id() != null) {
            packer.writePayload(ID).packString(envelope.id());
        }
        if (envelope.timestamp() != null) {
            packer.writePayload(TIMESTAMP).packString(envelope.timestamp());
        }
        if (envelope.seq() != Envelope.NO_SEQ) {
            packer.writePayload(SEQ).packLong(envelope.seq());
        }
        if (envelope.correlationId() != null) {
            packer.writePayload(CORRELATION_ID).packString(envelope.correlationId());
        }
        if (envelope.priority() != null) {
            packer.writePayload(PRIORITY).packInt(envelope.priority());
        }
        if (envelope.signature() != null) {
            packer.writePayload(SIGNATURE).packString(envelope.signature());
        }
        if (envelope.version() != Envelope.NO_VERSION) {
            packer.writePayload(VERSION).packInt(envelope.version());
        }
        packer.flush();
    }

    private static void packNode(MessagePacker packer, JsonNode node, int depth) throws IOException {
        if (depth > MAX_ENCODE_DEPTH) {
            throw new IllegalArgumentException("payload nested deeper than " + MAX_ENCODE_DEPTH);
        }
        switch (node.getNodeType()) {
            case OBJECT -> {
                packer.packMapHeader(node.size());
                for (Map.Entry<String, JsonNode> field : ((ObjectNode) node).properties()) {
                    packer.packString(field.getKey());
                    packNode(packer, field.getValue(), depth + 1);
                }
            }
            case ARRAY -> {
                packer.packArrayHeader(node.size());
                for (JsonNode element : node) {
                    packNode(packer, element, depth + 1);
                }
            }
            case STRING -> packer.packString(node.textValue());
            case NUMBER -> {
                switch (node.numberType()) {
                    case INT, LONG -> packer.packLong(node.longValue());
                    case BIG_INTEGER -> packBigInteger(packer, node.bigIntegerValue());
                    case FLOAT -> packer.packFloat(node.floatValue());
                    case DOUBLE, BIG_DECIMAL -> packer.packDouble(node.doubleValue());
                }
            }
            case BOOLEAN -> packer.packBoolean(node.booleanValue());
            case NULL -> packer.packNil();
            case BINARY -> {
                byte[] bytes = node.binaryValue();
                packer.packBinaryHeader(bytes.length);
                packer.writePayload(bytes);
            }
            case POJO, MISSING -> throw new IllegalArgumentException("payload: " + node.getNodeType()
                    + " nodes are not supported (convert them with ObjectMapper.valueToTree)");
        }
    }

    private static void packBigInteger(MessagePacker packer, BigInteger value) throws IOException {
        if (value.bitLength() <= 63) {
            packer.packLong(value.longValue());
        } else if (value.signum() > 0 && value.bitLength() == 64) {
            packer.packBigInteger(value);
        } else {
            packer.packDouble(value.doubleValue());
        }
    }

    /**
     * Hands the packer a per-thread chunk to write into and copies each filled chunk to the target once —
     * the same one-copy path Jackson takes for JSON. Payloads larger than the chunk go to the target
     * directly.
     */
    private static final class ChunkOutput implements MessageBufferOutput {

        private final byte[] chunk;
        private final OutputStream target;
        private byte[] current;

        ChunkOutput(byte[] chunk, OutputStream target) {
            this.chunk = chunk;
            this.target = target;
        }

        @Override
        public MessageBuffer next(int minimumSize) {
            // Never more than a header and a number (9 bytes) with the configuration above.
            current = minimumSize <= chunk.length ? chunk : new byte[minimumSize];
            return MessageBuffer.wrap(current);
        }

        @Override
        public void writeBuffer(int length) throws IOException {
            target.write(current, 0, length);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            target.write(buffer, offset, length);
        }

        @Override
        public void add(byte[] buffer, int offset, int length) throws IOException {
            target.write(buffer, offset, length);
        }

        @Override
        public void flush() {
            // Nothing buffered here: every writeBuffer went to the target.
        }

        @Override
        public void close() {
            // The target belongs to the caller.
        }
    }

    /** One decoding pass over one message. */
    private static final class Reader {

        private final MessageUnpacker in;
        private final byte[] bytes;
        private final int offset;
        private final int length;
        private final DecodeLimits limits;

        Reader(MessageUnpacker in, byte[] bytes, int offset, int length, DecodeLimits limits) {
            this.in = in;
            this.bytes = bytes;
            this.offset = offset;
            this.length = length;
            this.limits = limits;
        }

        Envelope readEnvelope() throws IOException, ProtocolException {
            MessageFormat format = in.getNextFormat();
            if (valueType(format) != ValueType.MAP) {
                throw DecodeErrors.invalid("expected a msgpack map at the top level, got " + describe(format));
            }
            int keys = in.unpackMapHeader();
            checkContainer(1, keys, 2L * keys, "map");
            EnvelopeFields f = new EnvelopeFields();
            for (int i = 0; i < keys; i++) {
                String key = readKey();
                switch (key) {
                    case EnvelopeFields.TOPIC -> f.topic = string(key);
                    case EnvelopeFields.EPOCH -> f.epoch = string(key);
                    case EnvelopeFields.OFFSET -> f.offset(integer(key));
                    case EnvelopeFields.CATEGORY -> f.category = string(key);
                    case EnvelopeFields.TYPE -> f.type = string(key);
                    case EnvelopeFields.TYPE_ALIAS -> f.typeAlias = string(key);
                    case EnvelopeFields.PAYLOAD -> f.payload = object(key);
                    case EnvelopeFields.PAYLOAD_ALIAS -> f.payloadAlias = object(key);
                    case EnvelopeFields.ID -> f.id = string(key);
                    case EnvelopeFields.TIMESTAMP -> f.timestamp = string(key);
                    case EnvelopeFields.SEQ -> f.seq = integer(key);
                    case EnvelopeFields.CORRELATION_ID -> f.correlationId = string(key);
                    case EnvelopeFields.PRIORITY -> f.priority = EnvelopeFields.int32(key, integer(key));
                    case EnvelopeFields.SIGNATURE -> f.signature = string(key);
                    case EnvelopeFields.VERSION -> f.version = EnvelopeFields.int32(key, integer(key));
                    // Unknown keys are read like any value (and dropped) so that the limits hold for them too.
                    default -> readValue(1);
                }
            }
            if (in.hasNext()) {
                throw DecodeErrors.invalid("trailing bytes after the msgpack map");
            }
            return f.build();
        }

        private String string(String key) throws IOException, ProtocolException {
            MessageFormat format = in.getNextFormat();
            if (valueType(format) != ValueType.STRING) {
                throw wrongType(key, "a string", format);
            }
            return readString();
        }

        private long integer(String key) throws IOException, ProtocolException {
            MessageFormat format = in.getNextFormat();
            if (valueType(format) != ValueType.INTEGER) {
                throw wrongType(key, "an integer", format);
            }
            if (format == MessageFormat.UINT64) {
                BigInteger value = in.unpackBigInteger();
                if (value.bitLength() > 63) {
                    throw DecodeErrors.invalid(key + ": out of range (expected: a 64-bit integer)");
                }
                return value.longValue();
            }
            return in.unpackLong();
        }

        private ObjectNode object(String key) throws IOException, ProtocolException {
            MessageFormat format = in.getNextFormat();
            if (valueType(format) != ValueType.MAP) {
                throw wrongType(key, "a map", format);
            }
            return (ObjectNode) readValue(1);
        }

        private static ProtocolException wrongType(String key, String expected, MessageFormat actual) {
            return DecodeErrors.invalid(key + ": expected " + expected + ", got " + describe(actual));
        }

        private int remaining() {
            return length - (int) in.getTotalReadBytes();
        }

        private void checkContainer(int depth, int count, long minBytes, String kind) throws ProtocolException {
            if (depth > limits.maxDepth()) {
                throw DecodeErrors.tooLarge("msgpack nested deeper than " + limits.maxDepth() + " levels");
            }
            int remaining = remaining();
            if (minBytes > remaining) {
                throw DecodeErrors.tooLarge(kind + " header claims " + Integer.toUnsignedString(count)
                        + " entries but only " + remaining + " bytes remain");
            }
        }

        /** Checks a string or binary header and returns the offset of its content in {@link #bytes}. */
        private int checkRaw(int size, String kind) throws ProtocolException {
            if (size > limits.maxStringBytes()) {
                throw DecodeErrors.tooLarge(kind + " of " + size + " bytes exceeds the limit of "
                        + limits.maxStringBytes());
            }
            int remaining = remaining();
            if (size > remaining) {
                throw DecodeErrors.tooLarge(kind + " header claims " + size + " bytes but only " + remaining
                        + " remain");
            }
            return offset + length - remaining;
        }

        private String readKey() throws IOException, ProtocolException {
            MessageFormat format = in.getNextFormat();
            if (valueType(format) != ValueType.STRING) {
                throw DecodeErrors.invalid("map keys must be strings, got " + describe(format));
            }
            return readString();
        }

        private String readString() throws IOException, ProtocolException {
            int size = in.unpackRawStringHeader();
            int start = checkRaw(size, "string");
            String s = Utf8.decode(bytes, start, size);
            in.readPayloadAsReference(size);
            return s;
        }

        private byte[] readBinary() throws IOException, ProtocolException {
            int size = in.unpackBinaryHeader();
            int start = checkRaw(size, "binary");
            byte[] copy = Arrays.copyOfRange(bytes, start, start + size);
            in.readPayloadAsReference(size);
            return copy;
        }

        /**
         * Reads one value whose container sits at {@code parentDepth}. Iterative: open containers form a
         * linked stack of {@link Frame}s, so depth is bounded by the limit, not by the thread's stack.
         */
        private JsonNode readValue(int parentDepth) throws IOException, ProtocolException {
            Frame top = null;
            while (true) {
                String name = null;
                if (top != null) {
                    if (top.remaining == 0) {
                        JsonNode done = top.node;
                        top = top.parent;
                        if (top == null) {
                            return done;
                        }
                        continue;
                    }
                    top.remaining--;
                    if (top.node instanceof ObjectNode) {
                        name = readKey();
                    }
                }
                int depth = (top == null ? parentDepth : top.depth) + 1;
                MessageFormat format = in.getNextFormat();
                JsonNode node;
                Frame opened = null;
                switch (valueType(format)) {
                    case MAP -> {
                        int entries = in.unpackMapHeader();
                        checkContainer(depth, entries, 2L * entries, "map");
                        ObjectNode object = JsonNodeFactory.instance.objectNode();
                        opened = new Frame(object, entries, depth, top);
                        node = object;
                    }
                    case ARRAY -> {
                        int elements = in.unpackArrayHeader();
                        checkContainer(depth, elements, elements, "array");
                        ArrayNode array = JsonNodeFactory.instance.arrayNode();
                        opened = new Frame(array, elements, depth, top);
                        node = array;
                    }
                    case STRING -> node = TextNode.valueOf(readString());
                    case BINARY -> node = BinaryNode.valueOf(readBinary());
                    case INTEGER -> node = readInteger(format);
                    case FLOAT -> node = format == MessageFormat.FLOAT32
                            ? FloatNode.valueOf(in.unpackFloat())
                            : DoubleNode.valueOf(in.unpackDouble());
                    case BOOLEAN -> node = BooleanNode.valueOf(in.unpackBoolean());
                    case NIL -> {
                        in.unpackNil();
                        node = NullNode.getInstance();
                    }
                    case EXTENSION -> throw DecodeErrors.invalid("msgpack extension types are not supported");
                    default -> throw DecodeErrors.invalid("unexpected msgpack format " + format);
                }
                if (top != null) {
                    if (top.node instanceof ObjectNode object) {
                        object.set(name, node);
                    } else {
                        ((ArrayNode) top.node).add(node);
                    }
                }
                if (opened != null) {
                    top = opened;
                } else if (top == null) {
                    return node;
                }
            }
        }

        private JsonNode readInteger(MessageFormat format) throws IOException {
            long value;
            if (format == MessageFormat.UINT64) {
                BigInteger big = in.unpackBigInteger();
                if (big.bitLength() > 63) {
                    return BigIntegerNode.valueOf(big);
                }
                value = big.longValue();
            } else {
                value = in.unpackLong();
            }
            // The same node types as JSON decoding, whatever width the sender chose.
            return value == (int) value ? IntNode.valueOf((int) value) : LongNode.valueOf(value);
        }

        private static ValueType valueType(MessageFormat format) throws ProtocolException {
            if (format == MessageFormat.NEVER_USED) {
                throw DecodeErrors.invalid("msgpack byte 0xc1 is never used");
            }
            return format.getValueType();
        }

        private static String describe(MessageFormat format) {
            if (format == MessageFormat.NEVER_USED) {
                return "the reserved byte 0xc1";
            }
            return switch (format.getValueType()) {
                case MAP -> "a map";
                case ARRAY -> "an array";
                case STRING -> "a string";
                case BINARY -> "binary";
                case INTEGER -> "an integer";
                case FLOAT -> "a float";
                case BOOLEAN -> "a boolean";
                case NIL -> "nil";
                case EXTENSION -> "an extension";
            };
        }
    }

    /** An open container while a tree is read: its node, how many entries are still to come, its depth. */
    private static final class Frame {
        final ContainerNode<?> node;
        final int depth;
        final Frame parent;
        int remaining;

        Frame(ContainerNode<?> node, int remaining, int depth, Frame parent) {
            this.node = node;
            this.remaining = remaining;
            this.depth = depth;
            this.parent = parent;
        }
    }
}
