package io.fanwire.common.codec;

import java.util.Objects;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Turns the content of one complete WebSocket message into an {@link Envelope} and back, handling the
 * frame prefixes of docs/PROTOCOL.md §2. Thread-safe; one instance serves every connection.
 *
 * <p>Inbound, a text frame is JSON, optionally behind a legacy WSE prefix (<code>WSE{</code>, <code>S{</code>,
 * <code>U{</code>, of which only the part before the brace is dropped). A binary frame is {@code M:} + msgpack,
 * {@code C:} + zlib of JSON or of {@code M:} + msgpack, {@code E:} + ciphertext (refused until a key
 * exchange exists), or else JSON as in a text frame. Outbound, a message is JSON or {@code M:} + msgpack,
 * and {@link #compress} turns JSON into a {@code C:} frame.
 *
 * <p>Decoding never moves the content's reader index and never releases it; it works on heap buffers in
 * place and copies direct ones once into a per-thread array, so the parsers always run over an array.
 */
public final class FrameCodec {

    /** Messages are compressed above this many bytes of JSON by default (when the peer announced it). */
    public static final int DEFAULT_COMPRESSION_THRESHOLD = 1024;

    static final byte[] MSGPACK_PREFIX = {'M', ':'};
    static final byte[] COMPRESSED_PREFIX = {'C', ':'};

    private final DecodeLimits limits;
    private final JsonEnvelopeCodec json;
    private final MsgpackEnvelopeCodec msgpack;

    /** A codec that rejects inbound messages beyond {@code limits}, after decompression. */
    public FrameCodec(DecodeLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.json = new JsonEnvelopeCodec(limits);
        this.msgpack = new MsgpackEnvelopeCodec(limits);
    }

    /** The limits this codec enforces. */
    public DecodeLimits limits() {
        return limits;
    }

    /** The JSON codec behind this one, for callers that need the envelope without a frame prefix. */
    public JsonEnvelopeCodec json() {
        return json;
    }

    /** The msgpack codec behind this one, for callers that need the envelope without a frame prefix. */
    public MsgpackEnvelopeCodec msgpack() {
        return msgpack;
    }

    /**
     * Decodes one message. Does not release {@code content} and does not move its reader index.
     *
     * @param content the message bytes (all fragments joined)
     * @param text whether it arrived in a text frame
     * @throws ProtocolException {@code INVALID_MESSAGE} for malformed input (connection kept),
     *         {@code MESSAGE_TOO_LARGE} with close 1009 for size, depth or decompression limits
     */
    public Envelope decode(ByteBuf content, boolean text) throws ProtocolException {
        int length = content.readableBytes();
        if (length > limits.maxMessageBytes()) {
            throw DecodeErrors.tooLarge("message of " + length + " bytes exceeds the limit of "
                    + limits.maxMessageBytes());
        }
        if (content.hasArray()) {
            return decode(content.array(), content.arrayOffset() + content.readerIndex(), length, text);
        }
        byte[] copy = Scratch.bytes(length);
        content.getBytes(content.readerIndex(), copy, 0, length);
        return decode(copy, 0, length, text);
    }

    private Envelope decode(byte[] bytes, int offset, int length, boolean text) throws ProtocolException {
        if (!text && length >= 2 && bytes[offset + 1] == ':') {
            switch (bytes[offset]) {
                case 'M' -> {
                    return msgpack.decode(bytes, offset + 2, length - 2);
                }
                case 'C' -> {
                    Zlib.Inflated inflated = Zlib.inflate(bytes, offset + 2, length - 2, limits.maxMessageBytes());
                    return decodeInflated(inflated.bytes(), inflated.length());
                }
                case 'E' -> throw DecodeErrors.invalid("encrypted frame but no key exchange");
                default -> {
                    // not a prefix: JSON below
                }
            }
        }
        return decodeJson(bytes, offset, length);
    }

    private Envelope decodeInflated(byte[] bytes, int length) throws ProtocolException {
        if (length >= 2 && bytes[0] == 'M' && bytes[1] == ':') {
            return msgpack.decode(bytes, 2, length - 2);
        }
        return decodeJson(bytes, 0, length);
    }

    private Envelope decodeJson(byte[] bytes, int offset, int length) throws ProtocolException {
        int skip = legacyPrefixLength(bytes, offset, length);
        return json.decode(bytes, offset + skip, length - skip);
    }

    /** The length of a legacy prefix (<code>WSE{</code>, <code>S{</code>, <code>U{</code>) minus its brace. */
    private static int legacyPrefixLength(byte[] bytes, int offset, int length) {
        if (length >= 4 && bytes[offset] == 'W' && bytes[offset + 1] == 'S' && bytes[offset + 2] == 'E'
                && bytes[offset + 3] == '{') {
            return 3;
        }
        if (length >= 2 && (bytes[offset] == 'S' || bytes[offset] == 'U') && bytes[offset + 1] == '{') {
            return 1;
        }
        return 0;
    }

    /**
     * Encodes one message for the wire: JSON bytes, or {@code M:} + msgpack. The caller owns the result.
     *
     * @throws IllegalArgumentException when the payload holds nodes that have no wire form (POJOs)
     */
    public ByteBuf encode(ByteBufAllocator alloc, Envelope envelope, WireFormat format) {
        return switch (format) {
            case JSON -> json.encode(alloc, envelope);
            case MSGPACK -> msgpack.encode(alloc, envelope, MSGPACK_PREFIX);
        };
    }

    /**
     * Returns {@code C:} + zlib of {@code json} (which it releases, also on failure). The caller owns the
     * result. Whether a message is worth compressing ({@link #DEFAULT_COMPRESSION_THRESHOLD}) and whether
     * the peer asked for it is the caller's decision.
     */
    public ByteBuf compress(ByteBufAllocator alloc, ByteBuf json) {
        try {
            return Zlib.deflate(alloc, json, COMPRESSED_PREFIX);
        } finally {
            json.release();
        }
    }
}
