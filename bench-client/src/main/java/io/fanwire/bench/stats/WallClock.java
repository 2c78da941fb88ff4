package io.fanwire.bench.stats;

import java.time.Instant;

/**
 * Epoch microseconds derived from {@link System#nanoTime()}: monotonic within a process, anchored once to the
 * wall clock, so timestamps carried in messages (publish time in a payload) compare across connections, and,
 * on one machine, across processes to within the anchors' difference.
 */
public final class WallClock {

    private static final long ANCHOR_NANOS = System.nanoTime();
    private static final long ANCHOR_MICROS;

    static {
        Instant now = Instant.now();
        ANCHOR_MICROS = now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    private WallClock() {
    }

    /** The epoch microseconds at {@code nanoTime} (a {@link System#nanoTime()} reading). */
    public static long epochMicros(long nanoTime) {
        return ANCHOR_MICROS + (nanoTime - ANCHOR_NANOS) / 1000;
    }

    /** The epoch microseconds now. */
    public static long nowMicros() {
        return epochMicros(System.nanoTime());
    }
}
