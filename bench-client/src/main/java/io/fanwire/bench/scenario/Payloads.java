package io.fanwire.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.common.codec.DecodeLimits;
import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.codec.WireFormat;
import io.fanwire.common.protocol.Envelope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Bench message bodies and their encodings on the wire. */
final class Payloads {

    private static final FrameCodec CODEC = new FrameCodec(DecodeLimits.DEFAULT);
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    /** How a client encodes what it sends. */
    enum Encoding {
        /** JSON in a text frame. */
        JSON("json"),
        /** {@code M:} + msgpack in a binary frame. */
        MSGPACK("msgpack"),
        /** {@code C:} + zlib of the JSON in a binary frame. */
        COMPRESSED("json+C:");

        final String label;

        Encoding(String label) {
            this.label = label;
        }

        boolean text() {
            return this == JSON;
        }

        static Encoding of(WireFormat format, boolean compression) {
            return format == WireFormat.MSGPACK ? MSGPACK : compression ? COMPRESSED : JSON;
        }

        static Encoding parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "json" -> JSON;
                case "msgpack" -> MSGPACK;
                case "compressed", "c", "json+c:", "zlib" -> COMPRESSED;
                default -> throw new IllegalArgumentException("encoding: " + text
                        + " (expected: json, msgpack or compressed)");
            };
        }
    }

    private Payloads() {
    }

    /** A payload object {@code {"d": "<bytes letters>"}}; the letters are random (seeded), so they compress like text. */
    static ObjectNode filler(int bytes) {
        ObjectNode p = Envelope.newPayload();
        p.put("d", letters(bytes));
        return p;
    }

    static String letters(int bytes) {
        SplittableRandom random = new SplittableRandom(bytes);
        char[] chars = new char[Math.max(0, bytes)];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }

    /** {@code message} encoded once for the wire; the caller owns the buffer. */
    static ByteBuf encode(Envelope message, Encoding encoding) {
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        return switch (encoding) {
            case JSON -> CODEC.encode(alloc, message, WireFormat.JSON);
            case MSGPACK -> CODEC.encode(alloc, message, WireFormat.MSGPACK);
            case COMPRESSED -> CODEC.compress(alloc, CODEC.encode(alloc, message, WireFormat.JSON));
        };
    }

    /** Parses a list of sizes like {@code 64,1k,16k}. */
    static List<Integer> sizes(String text) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            int multiplier = p.endsWith("k") ? 1024 : 1;
            int value = Integer.parseInt(multiplier == 1 ? p : p.substring(0, p.length() - 1)) * multiplier;
            if (value < 0) {
                throw new IllegalArgumentException("payloads: " + text + " (expected: sizes >= 0 like 64,1k)");
            }
            out.add(value);
        }
        return out;
    }
}
