package io.fanwire.common.codec;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import io.fanwire.common.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * zlib (deflate with the zlib header, RFC 1950) for {@code C:} frames, with the inflated size capped so
 * that a decompression bomb costs at most the cap in memory.
 *
 * <p>Each thread keeps one {@link Inflater} and one {@link Deflater} and resets them after every use:
 * their native state is allocated once per event loop instead of once per message. They are ended when
 * Netty removes the thread's locals (event-loop threads do so when they stop), and otherwise freed by the
 * JDK's cleaner when the thread is gone, so neither path leaks native memory.
 */
public final class Zlib {

    /**
     * Compression level of outbound frames. Messages are small and compressed on the event loop, where
     * latency matters more than the last percent of ratio; JSON compresses well at the fastest level.
     */
    private static final int LEVEL = Deflater.BEST_SPEED;
    private static final int MIN_INFLATE_BUFFER = 256;
    /** The largest array the JVM reliably allocates. */
    private static final int MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;
    private static final int MIN_DEFLATE_WRITABLE = 64;
    private static final byte[] NO_PREFIX = {};

    private static final FastThreadLocal<Inflater> INFLATERS = new FastThreadLocal<>() {
        @Override
        protected Inflater initialValue() {
            return new Inflater();
        }

        @Override
        protected void onRemoval(Inflater inflater) {
            inflater.end();
        }
    };

    private static final FastThreadLocal<Deflater> DEFLATERS = new FastThreadLocal<>() {
        @Override
        protected Deflater initialValue() {
            return new Deflater(LEVEL);
        }

        @Override
        protected void onRemoval(Deflater deflater) {
            deflater.end();
        }
    };

    private Zlib() {
    }

    /** Bytes produced by {@link #inflate(byte[], int, int, int)}: the first {@code length} of {@code bytes}. */
    record Inflated(byte[] bytes, int length) {
    }

    /**
     * Inflates the readable bytes of {@code compressed} (a complete zlib stream) without moving its reader
     * index or releasing it.
     *
     * @param maxBytes the most bytes the result may have; inflation stops as soon as it would exceed them
     * @throws ProtocolException {@code MESSAGE_TOO_LARGE} with close 1009 beyond {@code maxBytes},
     *         {@code INVALID_MESSAGE} for a malformed, truncated or trailing-garbage stream
     */
    public static byte[] inflate(ByteBuf compressed, int maxBytes) throws ProtocolException {
        int length = compressed.readableBytes();
        Inflated inflated;
        if (compressed.hasArray()) {
            inflated = inflate(compressed.array(), compressed.arrayOffset() + compressed.readerIndex(), length,
                    maxBytes);
        } else {
            inflated = inflate(ByteBufUtil.getBytes(compressed), 0, length, maxBytes);
        }
        return inflated.length() == inflated.bytes().length
                ? inflated.bytes()
                : Arrays.copyOf(inflated.bytes(), inflated.length());
    }

    /**
     * Inflates {@code length} bytes of {@code src} from {@code offset}. The output array starts small and
     * doubles, but never beyond {@code maxBytes + 1}: one byte more than allowed is how an oversized stream
     * is detected without inflating the rest of it.
     */
    static Inflated inflate(byte[] src, int offset, int length, int maxBytes) throws ProtocolException {
        Inflater inflater = INFLATERS.get();
        try {
            inflater.setInput(src, offset, length);
            long cap = Math.min((long) maxBytes + 1, MAX_ARRAY_BYTES);
            byte[] out = new byte[(int) Math.min(cap, Math.max(MIN_INFLATE_BUFFER, 4L * length))];
            int produced = 0;
            while (true) {
                if (produced == out.length) {
                    if (out.length >= cap) {
                        throw DecodeErrors.tooLarge("inflated message exceeds " + out.length + " bytes");
                    }
                    out = Arrays.copyOf(out, (int) Math.min(cap, 2L * out.length));
                }
                int remainingBefore = inflater.getRemaining();
                int n = inflater.inflate(out, produced, out.length - produced);
                produced += n;
                if (produced > maxBytes) {
                    throw DecodeErrors.tooLarge("inflated message exceeds the limit of " + maxBytes + " bytes");
                }
                if (inflater.finished()) {
                    break;
                }
                if (n == 0) {
                    if (inflater.needsDictionary()) {
                        throw DecodeErrors.invalid("zlib stream needs a preset dictionary");
                    }
                    if (inflater.needsInput()) {
                        throw DecodeErrors.invalid("truncated zlib stream");
                    }
                    if (produced < out.length && inflater.getRemaining() == remainingBefore) {
                        throw DecodeErrors.invalid("zlib stream makes no progress");
                    }
                }
            }
            if (inflater.getRemaining() > 0) {
                throw DecodeErrors.invalid("trailing bytes after the zlib stream");
            }
            return new Inflated(out, produced);
        } catch (DataFormatException e) {
            throw DecodeErrors.invalid("malformed zlib stream: " + e.getMessage(), e);
        } finally {
            inflater.reset();
        }
    }

    /**
     * Compresses the readable bytes of {@code input} into a zlib stream in a new buffer from {@code alloc},
     * which the caller owns. Neither moves the reader index of {@code input} nor releases it.
     */
    public static ByteBuf deflate(ByteBufAllocator alloc, ByteBuf input) {
        return deflate(alloc, input, NO_PREFIX);
    }

    /**
     * Like {@link #deflate(ByteBufAllocator, ByteBuf)}, with {@code prefix} written first. The deflater
     * writes straight into the output buffer's memory, heap or direct.
     */
    static ByteBuf deflate(ByteBufAllocator alloc, ByteBuf input, byte[] prefix) {
        int length = input.readableBytes();
        ByteBuffer src = input.nioBufferCount() > 0
                ? input.nioBuffer(input.readerIndex(), length)
                : ByteBuffer.wrap(ByteBufUtil.getBytes(input));
        ByteBuf out = alloc.buffer(prefix.length + MIN_DEFLATE_WRITABLE + length / 2);
        Deflater deflater = DEFLATERS.get();
        boolean success = false;
        try {
            out.writeBytes(prefix);
            deflater.setInput(src);
            deflater.finish();
            while (!deflater.finished()) {
                out.ensureWritable(MIN_DEFLATE_WRITABLE);
                int writerIndex = out.writerIndex();
                int n = deflater.deflate(out.nioBuffer(writerIndex, out.writableBytes()));
                out.writerIndex(writerIndex + n);
            }
            success = true;
            return out;
        } finally {
            // Also drops the deflater's reference to the input's memory.
            deflater.reset();
            if (!success) {
                out.release();
            }
        }
    }
}
