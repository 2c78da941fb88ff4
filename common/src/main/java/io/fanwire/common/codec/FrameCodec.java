package io.fanwire.common.codec;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Turns the content of one complete WebSocket message into an {@link Envelope} and back, handling the
 * frame prefixes of docs/PROTOCOL.md §2. Thread-safe; one instance serves every connection.
 */
public final class FrameCodec {

    /** Messages are compressed above this many bytes of JSON by default (when the peer announced it). */
    public static final int DEFAULT_COMPRESSION_THRESHOLD = 1024;

    private final DecodeLimits limits;

    public FrameCodec(DecodeLimits limits) {
        this.limits = limits;
    }

    /** The limits this codec enforces. */
    public DecodeLimits limits() {
        return limits;
    }

    /**
     * Decodes one message. Does not release {@code content}.
     *
     * @param content the message bytes (all fragments joined)
     * @param text whether it arrived in a text frame
     * @throws ProtocolException {@code INVALID_MESSAGE} for malformed input (connection kept),
     *         {@code MESSAGE_TOO_LARGE} with close 1009 for size, depth or decompression limits
     */
    public Envelope decode(ByteBuf content, boolean text) throws ProtocolException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Encodes one message for the wire: JSON bytes, or {@code M:} + msgpack. The caller owns the result.
     */
    public ByteBuf encode(ByteBufAllocator alloc, Envelope envelope, WireFormat format) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Returns {@code C:} + zlib of {@code json} (which it releases). The caller owns the result.
     */
    public ByteBuf compress(ByteBufAllocator alloc, ByteBuf json) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
