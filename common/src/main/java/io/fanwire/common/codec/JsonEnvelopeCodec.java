package io.fanwire.common.codec;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ProtocolException;

/**
 * The JSON form of the {@link Envelope} (docs/PROTOCOL.md §2), on Jackson's streaming API: the envelope's
 * keys are read and written by hand, and only the payload becomes a tree. Thread-safe; share one instance.
 *
 * <p>Decoding is strict where it protects the server and lenient where WSE clients differ: {@code type} and
 * {@code payload} are accepted as aliases, unknown keys are skipped, but every known key must have its
 * type, the top level must be a single object, and nothing may follow it. The {@link DecodeLimits} are
 * enforced by the parser itself while it reads (nesting depth, string, name and number lengths, document
 * length), so an oversized or deeply nested input is rejected before it is materialised and can never
 * exhaust the stack. String lengths are counted in characters, which never exceed the UTF-8 bytes.
 *
 * <p>Encoding writes the keys in the order of the protocol — {@code tp}, {@code e}, {@code o} when
 * stamped, then {@code c}, {@code t}, {@code p}, {@code id}, {@code ts}, {@code seq}, {@code cid},
 * {@code pri}, {@code sig} and {@code v} last — and leaves absent keys out rather than writing nulls.
 * Binary payload nodes are written as base64 strings; POJO nodes are not supported (convert them with
 * {@code ObjectMapper.valueToTree} first).
 */
public final class JsonEnvelopeCodec extends EnvelopeCodec {

    private static final Pattern JACKSON_SOURCE = Pattern.compile(", from `[^`]*`");

    private static final SerializableString TOPIC = new SerializedString(EnvelopeFields.TOPIC);
    private static final SerializableString EPOCH = new SerializedString(EnvelopeFields.EPOCH);
    private static final SerializableString OFFSET = new SerializedString(EnvelopeFields.OFFSET);
    private static final SerializableString CATEGORY = new SerializedString(EnvelopeFields.CATEGORY);
    private static final SerializableString TYPE = new SerializedString(EnvelopeFields.TYPE);
    private static final SerializableString PAYLOAD = new SerializedString(EnvelopeFields.PAYLOAD);
    private static final SerializableString ID = new SerializedString(EnvelopeFields.ID);
    private static final SerializableString TIMESTAMP = new SerializedString(EnvelopeFields.TIMESTAMP);
    private static final SerializableString SEQ = new SerializedString(EnvelopeFields.SEQ);
    private static final SerializableString CORRELATION_ID = new SerializedString(EnvelopeFields.CORRELATION_ID);
    private static final SerializableString PRIORITY = new SerializedString(EnvelopeFields.PRIORITY);
    private static final SerializableString SIGNATURE = new SerializedString(EnvelopeFields.SIGNATURE);
    private static final SerializableString VERSION = new SerializedString(EnvelopeFields.VERSION);

    private final JsonFactory factory;

    /** A codec that rejects input beyond {@code limits}. */
    public JsonEnvelopeCodec(DecodeLimits limits) {
        super("JSON", limits);
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxDepth())
                        .maxStringLength(limits.maxStringBytes())
                        .maxNameLength(limits.maxStringBytes())
                        .maxNumberLength(limits.maxNumberChars())
                        .maxDocumentLength(limits.maxMessageBytes())
                        .build())
                // Keys come from the network: interning them would grow the JVM's string table at a
                // client's will. Canonicalisation (on by default) stays: it is bounded and it makes the
                // envelope's few keys cheap.
                .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
                .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .enable(StreamReadFeature.USE_FAST_BIG_NUMBER_PARSER)
                .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                // Characters outside the BMP (emoji) as 4 UTF-8 bytes rather than two escaped surrogates.
                .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
                .build();
    }

    @Override
    Envelope decodeWithinLimit(byte[] bytes, int offset, int length) throws ProtocolException {
        try (JsonParser parser = factory.createParser(bytes, offset, length)) {
            return readEnvelope(parser);
        } catch (StreamConstraintsException e) {
            // Jackson names its own configuration method in the message; the client needs only the limit.
            throw DecodeErrors.tooLarge("message exceeds a decode limit: "
                    + JACKSON_SOURCE.matcher(e.getOriginalMessage()).replaceAll(""), e);
        } catch (JsonProcessingException e) {
            throw DecodeErrors.invalid("malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw DecodeErrors.invalid("malformed JSON: " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            // Jackson's symbol table gives up on keys crafted to collide (hash flooding).
            throw DecodeErrors.invalid("malformed JSON: " + e.getMessage(), e);
        }
    }

    /** Writes {@code envelope} as JSON to {@code out}, which it neither flushes nor closes. */
    @Override
    public void encode(Envelope envelope, OutputStream out) throws IOException {
        write(envelope, out);
    }

    private void write(Envelope envelope, OutputStream out) throws IOException {
        try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            if (envelope.stamped()) {
                g.writeFieldName(TOPIC);
                g.writeString(envelope.topic());
                g.writeFieldName(EPOCH);
                g.writeString(envelope.epoch());
                g.writeFieldName(OFFSET);
                g.writeNumber(envelope.offset());
            }
            if (envelope.category() != null) {
                g.writeFieldName(CATEGORY);
                g.writeString(envelope.category());
            }
            g.writeFieldName(TYPE);
            g.writeString(envelope.type());
            g.writeFieldName(PAYLOAD);
            writeNode(g, envelope.payload());
            if (envelope.id() != null) {
                g.writeFieldName(ID);
                g.writeString(envelope.id());
            }
            if (envelope.timestamp() != null) {
                g.writeFieldName(TIMESTAMP);
                g.writeString(envelope.timestamp());
            }
            if (envelope.seq() != Envelope.NO_SEQ) {
                g.writeFieldName(SEQ);
                g.writeNumber(envelope.seq());
            }
            if (envelope.correlationId() != null) {
                g.writeFieldName(CORRELATION_ID);
                g.writeString(envelope.correlationId());
            }
            if (envelope.priority() != null) {
                g.writeFieldName(PRIORITY);
                g.writeNumber(envelope.priority().intValue());
            }
            if (envelope.signature() != null) {
                g.writeFieldName(SIGNATURE);
                g.writeString(envelope.signature());
            }
            if (envelope.version() != Envelope.NO_VERSION) {
                g.writeFieldName(VERSION);
                g.writeNumber(envelope.version());
            }
            g.writeEndObject();
        }
    }

    /**
     * Writes a payload tree. Recursive: trees built by the application are its own business, and the
     * generator's write constraints stop a runaway depth with an exception long before the stack would.
     */
    private static void writeNode(JsonGenerator g, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (Map.Entry<String, JsonNode> field : ((ObjectNode) node).properties()) {
                    g.writeFieldName(field.getKey());
                    writeNode(g, field.getValue());
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray(node, node.size());
                for (JsonNode element : node) {
                    writeNode(g, element);
                }
                g.writeEndArray();
            }
            case STRING -> g.writeString(node.textValue());
            case NUMBER -> {
                switch (node.numberType()) {
                    case INT -> g.writeNumber(node.intValue());
                    case LONG -> g.writeNumber(node.longValue());
                    case BIG_INTEGER -> g.writeNumber(node.bigIntegerValue());
                    case FLOAT -> g.writeNumber(node.floatValue());
                    case DOUBLE -> g.writeNumber(node.doubleValue());
                    case BIG_DECIMAL -> g.writeNumber(node.decimalValue());
                }
            }
            case BOOLEAN -> g.writeBoolean(node.booleanValue());
            case NULL -> g.writeNull();
            case BINARY -> g.writeBinary(node.binaryValue());
            case POJO, MISSING -> throw new IllegalArgumentException("payload: " + node.getNodeType()
                    + " nodes are not supported (convert them with ObjectMapper.valueToTree)");
        }
    }

    private static Envelope readEnvelope(JsonParser p) throws IOException, ProtocolException {
        JsonToken first = p.nextToken();
        if (first != JsonToken.START_OBJECT) {
            throw DecodeErrors.invalid(first == null ? "empty message"
                    : "expected a JSON object at the top level, got " + describe(first));
        }
        EnvelopeFields f = new EnvelopeFields();
        for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
            JsonToken value = p.nextToken();
            switch (key) {
                case EnvelopeFields.TOPIC -> f.topic = string(p, value, key);
                case EnvelopeFields.EPOCH -> f.epoch = string(p, value, key);
                case EnvelopeFields.OFFSET -> f.offset(integer(p, value, key));
                case EnvelopeFields.CATEGORY -> f.category = string(p, value, key);
                case EnvelopeFields.TYPE -> f.type = string(p, value, key);
                case EnvelopeFields.TYPE_ALIAS -> f.typeAlias = string(p, value, key);
                case EnvelopeFields.PAYLOAD -> f.payload = object(p, value, key);
                case EnvelopeFields.PAYLOAD_ALIAS -> f.payloadAlias = object(p, value, key);
                case EnvelopeFields.ID -> f.id = string(p, value, key);
                case EnvelopeFields.TIMESTAMP -> f.timestamp = string(p, value, key);
                case EnvelopeFields.SEQ -> f.seq = integer(p, value, key);
                case EnvelopeFields.CORRELATION_ID -> f.correlationId = string(p, value, key);
                case EnvelopeFields.PRIORITY -> f.priority = EnvelopeFields.int32(key, integer(p, value, key));
                case EnvelopeFields.SIGNATURE -> f.signature = string(p, value, key);
                case EnvelopeFields.VERSION -> f.version = EnvelopeFields.int32(key, integer(p, value, key));
                default -> p.skipChildren();
            }
        }
        if (p.nextToken() != null) {
            throw DecodeErrors.invalid("trailing data after the JSON object");
        }
        return f.build();
    }

    private static String string(JsonParser p, JsonToken token, String key) throws IOException, ProtocolException {
        if (token != JsonToken.VALUE_STRING) {
            throw wrongType(key, "a string", token);
        }
        return p.getText();
    }

    private static long integer(JsonParser p, JsonToken token, String key) throws IOException, ProtocolException {
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw wrongType(key, "an integer", token);
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw DecodeErrors.invalid(key + ": out of range (expected: a 64-bit integer)");
        }
        return p.getLongValue();
    }

    private static ObjectNode object(JsonParser p, JsonToken token, String key) throws IOException, ProtocolException {
        if (token != JsonToken.START_OBJECT) {
            throw wrongType(key, "an object", token);
        }
        return readObject(p);
    }

    private static ProtocolException wrongType(String key, String expected, JsonToken actual) {
        return DecodeErrors.invalid(key + ": expected " + expected + ", got " + describe(actual));
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a fractional number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.name();
        };
    }

    /**
     * Builds the tree of the object whose {@code START_OBJECT} the parser is on. Iterative, with an
     * explicit stack: the parser's depth limit is what bounds nesting, not the thread's stack.
     */
    static ObjectNode readObject(JsonParser p) throws IOException, ProtocolException {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayDeque<ContainerNode<?>> parents = null;
        ContainerNode<?> current = root;
        String name = null;
        while (true) {
            JsonToken token = p.nextToken();
            if (token == null) {
                throw DecodeErrors.invalid("truncated JSON");
            }
            JsonNode value;
            switch (token) {
                case FIELD_NAME -> {
                    name = p.currentName();
                    continue;
                }
                case START_OBJECT, START_ARRAY -> {
                    ContainerNode<?> child = token == JsonToken.START_OBJECT
                            ? JsonNodeFactory.instance.objectNode()
                            : JsonNodeFactory.instance.arrayNode();
                    add(current, name, child);
                    if (parents == null) {
                        parents = new ArrayDeque<>();
                    }
                    parents.push(current);
                    current = child;
                    continue;
                }
                case END_OBJECT, END_ARRAY -> {
                    if (parents == null || parents.isEmpty()) {
                        return root;
                    }
                    current = parents.pop();
                    continue;
                }
                case VALUE_STRING -> value = TextNode.valueOf(p.getText());
                case VALUE_NUMBER_INT -> value = switch (p.getNumberType()) {
                    case INT -> IntNode.valueOf(p.getIntValue());
                    case LONG -> LongNode.valueOf(p.getLongValue());
                    default -> BigIntegerNode.valueOf(p.getBigIntegerValue());
                };
                case VALUE_NUMBER_FLOAT -> value = DoubleNode.valueOf(p.getDoubleValue());
                case VALUE_TRUE -> value = BooleanNode.TRUE;
                case VALUE_FALSE -> value = BooleanNode.FALSE;
                case VALUE_NULL -> value = NullNode.getInstance();
                default -> throw DecodeErrors.invalid("unexpected JSON token " + token);
            }
            add(current, name, value);
        }
    }

    private static void add(ContainerNode<?> container, String name, JsonNode value) {
        if (container instanceof ObjectNode object) {
            object.set(name, value);
        } else {
            ((ArrayNode) container).add(value);
        }
    }
}
