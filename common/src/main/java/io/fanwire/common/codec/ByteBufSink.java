package io.fanwire.common.codec;

import java.io.OutputStream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * An {@link OutputStream} that collects an encoder's output in a {@link ByteBuf} allocated on the first
 * write. Jackson and the msgpack packer both buffer internally and write a small message in one call, so
 * that first allocation is exactly the size of the message (plus the frame prefix): one copy, no regrowth.
 * Larger messages arrive in several writes and let the buffer grow.
 */
final class ByteBufSink extends OutputStream {

    private final ByteBufAllocator alloc;
    private final byte[] prefix;
    private ByteBuf buf;

    ByteBufSink(ByteBufAllocator alloc, byte[] prefix) {
        this.alloc = alloc;
        this.prefix = prefix;
    }

    @Override
    public void write(int b) {
        allocate(1).writeByte(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        if (length > 0) {
            allocate(length).writeBytes(bytes, offset, length);
        }
    }

    private ByteBuf allocate(int firstWrite) {
        ByteBuf buf = this.buf;
        if (buf == null) {
            buf = alloc.buffer(prefix.length + firstWrite);
            buf.writeBytes(prefix);
            this.buf = buf;
        }
        return buf;
    }

    /** Hands the buffer over to the caller, who then owns it. */
    ByteBuf finish() {
        ByteBuf result = allocate(0);
        buf = null;
        return result;
    }

    /** Releases whatever was written; the encoding failed. */
    void discard() {
        if (buf != null) {
            buf.release();
            buf = null;
        }
    }
}
