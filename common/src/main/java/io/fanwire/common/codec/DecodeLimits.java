package io.fanwire.common.codec;

/**
 * Bounds on what a decoder accepts from the network. Anything beyond them is rejected before it is
 * allocated.
 *
 * @param maxMessageBytes the largest message after decompression, in bytes
 * @param maxDepth the deepest nesting of objects and arrays
 * @param maxStringBytes the longest string (or object key), in bytes
 * @param maxNumberChars the longest number literal, in characters
 */
public record DecodeLimits(int maxMessageBytes, int maxDepth, int maxStringBytes, int maxNumberChars) {

    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_DEPTH = 64;
    public static final int DEFAULT_MAX_NUMBER_CHARS = 64;

    /** The defaults: 1 MiB messages, depth 64, strings up to the message size, numbers up to 64 characters. */
    public static final DecodeLimits DEFAULT = of(DEFAULT_MAX_MESSAGE_BYTES);

    public DecodeLimits {
        positive("maxMessageBytes", maxMessageBytes);
        positive("maxDepth", maxDepth);
        positive("maxStringBytes", maxStringBytes);
        positive("maxNumberChars", maxNumberChars);
    }

    /** The default limits for messages of at most {@code maxMessageBytes}. */
    public static DecodeLimits of(int maxMessageBytes) {
        return new DecodeLimits(maxMessageBytes, DEFAULT_MAX_DEPTH, maxMessageBytes, DEFAULT_MAX_NUMBER_CHARS);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }
}
