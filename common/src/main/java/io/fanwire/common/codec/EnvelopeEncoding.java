package io.fanwire.common.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

import io.fanwire.common.protocol.Envelope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * What both envelope codecs share on the way out: one format-specific {@link #encode(Envelope, OutputStream)},
 * and from it the encodings into a Netty buffer (exactly sized, released on failure) and into an array.
 */
abstract sealed class EnvelopeEncoding permits JsonEnvelopeCodec, MsgpackEnvelopeCodec {

    private static final byte[] NO_PREFIX = {};

    private final String formatName;

    EnvelopeEncoding(String formatName) {
        this.formatName = formatName;
    }

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
