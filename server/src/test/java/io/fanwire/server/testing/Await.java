package io.fanwire.server.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes; for state that gives no signal of its own. */
public final class Await {

    private static final long POLL_NANOS = Duration.ofMillis(2).toNanos();

    private Await() {
    }

    /** Returns once {@code condition} holds; an AssertionError naming {@code what} after {@code timeout}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        until(timeout, condition, () -> what);
    }

    /**
     * Returns once {@code count} is {@code expected}. For counters a server updates just after the write a
     * client may already have seen.
     */
    public static void count(String what, Duration timeout, LongSupplier count, long expected) {
        until(timeout, () -> count.getAsLong() == expected,
                () -> what + " is " + count.getAsLong() + " (expected: " + expected + ")");
    }

    /** Like {@link #until(String, Duration, BooleanSupplier)}, describing the failure (with current values) lazily. */
    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout + ": " + what.get());
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}
