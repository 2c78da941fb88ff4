package io.fanwire.common.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * What both envelope codecs share: the limits and the entry points. Each format supplies one
 * {@link #encode(Envelope, OutputStream)} and one {@link #decodeWithinLimit(byte[], int, int)}; from them come the
 * encodings into a Netty buffer (exactly sized, released on failure) and an array, and decoding from any buffer.
 */
abstract sealed class EnvelopeCodec permits JsonEnvelopeCodec, MsgpackEnvelopeCodec {

    private static final byte[] NO_PREFIX = {};

    private final String formatName;
    private final DecodeLimits limits;

    EnvelopeCodec(String formatName, DecodeLimits limits) {
        this.formatName = formatName;
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** The limits this codec enforces. */
    public DecodeLimits limits() {
        return limits;
    }

    /**
     * Decodes the readable bytes of {@code content} (without a frame prefix) without moving its reader index or
     * releasing it.
     *
     * @throws ProtocolException {@code INVALID_MESSAGE} for malformed input (connection kept),
     *         {@code MESSAGE_TOO_LARGE} with close 1009 when a {@link DecodeLimits limit} is exceeded
     */
    public Envelope decode(ByteBuf content) throws ProtocolException {
        int length = content.readableBytes();
        if (content.hasArray()) {
            return decode(content.array(), content.arrayOffset() + content.readerIndex(), length);
        }
        byte[] copy = Scratch.bytes(length);
        content.getBytes(content.readerIndex(), copy, 0, length);
        return decode(copy, 0, length);
    }

    /**
     * Decodes {@code length} bytes of {@code bytes} from {@code offset} (without a frame prefix). The result
     * shares no memory with {@code bytes}.
     *
     * @throws ProtocolException {@code INVALID_MESSAGE} for malformed input (connection kept),
     *         {@code MESSAGE_TOO_LARGE} with close 1009 when a {@link DecodeLimits limit} is exceeded
     */
    public Envelope decode(byte[] bytes, int offset, int length) throws ProtocolException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length > limits.maxMessageBytes()) {
            throw DecodeErrors.tooLarge("message of " + length + " bytes exceeds the limit of "
                    + limits.maxMessageBytes());
        }
        return decodeWithinLimit(bytes, offset, length);
    }

    /** Decodes a message already checked against the size limit. */
    abstract Envelope decodeWithinLimit(byte[] bytes, int offset, int length) throws ProtocolException;

    /** Writes {@code envelope} to {@code out}, which it neither flushes nor closes. */
    public abstract void encode(Envelope envelope, OutputStream out) throws IOException;

    /** Encodes {@code envelope} into a buffer from {@code alloc}, which the caller owns. */
    public ByteBuf encode(ByteBufAllocator alloc, Envelope envelope) {
        return encode(alloc, envelope, NO_PREFIX);
    }

    /** Like {@link #encode(ByteBufAllocator, Envelope)}, with {@code prefix} (a frame prefix) written first. */
    ByteBuf encode(ByteBufAllocator alloc, Envelope envelope, byte[] prefix) {
        ByteBufSink sink = new ByteBufSink(alloc, prefix);
        try {
            encode(envelope, sink);
            return sink.finish();
        } catch (IOException e) {
            sink.discard();
            throw encodeFailure(envelope, e);
        } catch (RuntimeException e) {
            sink.discard();
            throw e;
        }
    }

    /**
     * Encodes {@code envelope} into a new array, for callers that need the bytes off the Netty buffer path
     * (history, HTTP bodies, tests).
     */
    public byte[] encodeToBytes(Envelope envelope) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            encode(envelope, out);
        } catch (IOException e) {
            throw encodeFailure(envelope, e);
        }
        return out.toByteArray();
    }

    private IllegalArgumentException encodeFailure(Envelope envelope, IOException e) {
        return new IllegalArgumentException("cannot encode a '" + envelope.type() + "' message as " + formatName
                + ": " + e.getMessage(), e);
    }
}
