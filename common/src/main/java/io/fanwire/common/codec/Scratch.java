package io.fanwire.common.codec;

import io.netty.util.concurrent.FastThreadLocal;

/**
 * Per-thread byte arrays that decoders copy off-heap message content into, so that the parsers can run
 * over a plain array without allocating one per message. Arrays above {@link #MAX_RETAINED_BYTES} are
 * allocated per call and dropped, so that a few large messages do not pin memory on every event loop.
 *
 * <p>An array handed out by {@link #bytes(int)} is valid until the next call on the same thread; decoders
 * never keep a reference to it in what they return.
 */
final class Scratch {

    static final int MAX_RETAINED_BYTES = 64 * 1024;
    private static final int INITIAL_BYTES = 4096;

    private static final FastThreadLocal<byte[]> BYTES = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[INITIAL_BYTES];
        }
    };

    private Scratch() {
    }

    /** An array of at least {@code length} bytes, with undefined content. */
    static byte[] bytes(int length) {
        if (length > MAX_RETAINED_BYTES) {
            return new byte[length];
        }
        byte[] bytes = BYTES.get();
        if (bytes.length < length) {
            bytes = new byte[Math.min(MAX_RETAINED_BYTES, Math.max(length, bytes.length * 2))];
            BYTES.set(bytes);
        }
        return bytes;
    }
}
