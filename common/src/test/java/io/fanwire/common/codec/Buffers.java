package io.fanwire.common.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ErrorCode;
import io.fanwire.common.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

/** Buffers of every kind the server may hand to a codec, and assertions on what codecs reject. */
final class Buffers {

    private static final ByteBufAllocator UNPOOLED_HEAP_ALLOC = new UnpooledByteBufAllocator(false);
    private static final ByteBufAllocator UNPOOLED_DIRECT_ALLOC = new UnpooledByteBufAllocator(true);
    private static final ByteBufAllocator POOLED_HEAP_ALLOC = new PooledByteBufAllocator(false);
    private static final ByteBufAllocator POOLED_DIRECT_ALLOC = new PooledByteBufAllocator(true);

    /** Bytes in front of the content, so that a codec that ignores the reader index reads garbage. */
    static final int JUNK = 5;

    private Buffers() {
    }

    /** Where a message's bytes live. */
    enum Memory {
        UNPOOLED_HEAP, UNPOOLED_DIRECT, POOLED_HEAP, POOLED_DIRECT, COMPOSITE;

        /** A buffer with {@code bytes} readable after {@link #JUNK} bytes already read. The caller releases it. */
        ByteBuf copyOf(byte[] bytes) {
            ByteBuf buf = switch (this) {
                case UNPOOLED_HEAP -> UnpooledByteBufAllocator.DEFAULT.heapBuffer(JUNK + bytes.length);
                case UNPOOLED_DIRECT -> UnpooledByteBufAllocator.DEFAULT.directBuffer(JUNK + bytes.length);
                case POOLED_HEAP -> PooledByteBufAllocator.DEFAULT.heapBuffer(JUNK + bytes.length);
                case POOLED_DIRECT -> PooledByteBufAllocator.DEFAULT.directBuffer(JUNK + bytes.length);
                case COMPOSITE -> composite(bytes);
            };
            if (this != COMPOSITE) {
                buf.writeBytes(new byte[] {'j', 'u', 'n', 'k', '{'});
                buf.writeBytes(bytes);
            }
            buf.readerIndex(JUNK);
            return buf;
        }

        private static ByteBuf composite(byte[] bytes) {
            int half = bytes.length / 2;
            CompositeByteBuf buf = UnpooledByteBufAllocator.DEFAULT.compositeBuffer();
            ByteBuf first = UnpooledByteBufAllocator.DEFAULT.heapBuffer(JUNK + half);
            first.writeBytes(new byte[] {'j', 'u', 'n', 'k', '{'}).writeBytes(bytes, 0, half);
            ByteBuf second = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length - half);
            second.writeBytes(bytes, half, bytes.length - half);
            return buf.addComponents(true, first, second);
        }

        /** An allocator whose {@code buffer()} returns this kind of memory (composite: unpooled heap). */
        ByteBufAllocator allocator() {
            return switch (this) {
                case UNPOOLED_HEAP, COMPOSITE -> UNPOOLED_HEAP_ALLOC;
                case UNPOOLED_DIRECT -> UNPOOLED_DIRECT_ALLOC;
                case POOLED_HEAP -> POOLED_HEAP_ALLOC;
                case POOLED_DIRECT -> POOLED_DIRECT_ALLOC;
            };
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** The readable bytes of {@code buf}, which it then releases. */
    static byte[] drain(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /**
     * Decodes {@code bytes} in a buffer of {@code memory} and checks that the codec left the buffer as it
     * found it: not released, reader index unmoved.
     */
    static Envelope decode(FrameCodec codec, byte[] bytes, boolean text, Memory memory) throws ProtocolException {
        ByteBuf buf = memory.copyOf(bytes);
        try {
            return codec.decode(buf, text);
        } finally {
            assertThat(buf.refCnt()).isEqualTo(1);
            assertThat(buf.readerIndex()).isEqualTo(JUNK);
            assertThat(buf.readableBytes()).isEqualTo(bytes.length);
            buf.release();
        }
    }

    /** Asserts that {@code call} throws a {@link ProtocolException} with the given codes, and returns it. */
    static ProtocolException assertRejected(ThrowingCallable call, ErrorCode code, int closeCode) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class, call);
        assertThat(e).as("expected a ProtocolException").isNotNull();
        assertThat(e.code()).as("error code of: %s", e.getMessage()).isEqualTo(code);
        assertThat(e.closeCode()).as("close code of: %s", e.getMessage()).isEqualTo(closeCode);
        return e;
    }

    static ProtocolException assertInvalid(ThrowingCallable call) {
        return assertRejected(call, ErrorCode.INVALID_MESSAGE, ProtocolException.KEEP_OPEN);
    }

    static ProtocolException assertTooLarge(ThrowingCallable call) {
        return assertRejected(call, ErrorCode.MESSAGE_TOO_LARGE, CloseCodes.MESSAGE_TOO_BIG);
    }

    /** zlib (with header) of {@code bytes}, by the JDK rather than the code under test. */
    static byte[] zlib(byte[] bytes) {
        Deflater deflater = new Deflater();
        try {
            deflater.setInput(bytes);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            while (!deflater.finished()) {
                out.write(chunk, 0, deflater.deflate(chunk));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /** zlib of {@code count} zero bytes, produced without ever holding them: a decompression bomb. */
    static byte[] zlibOfZeros(long count) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        try {
            byte[] zeros = new byte[256 * 1024];
            byte[] chunk = new byte[64 * 1024];
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (long fed = 0; fed < count; ) {
                int n = (int) Math.min(zeros.length, count - fed);
                deflater.setInput(zeros, 0, n);
                fed += n;
                while (!deflater.needsInput()) {
                    out.write(chunk, 0, deflater.deflate(chunk));
                }
            }
            deflater.finish();
            while (!deflater.finished()) {
                out.write(chunk, 0, deflater.deflate(chunk));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }
}
