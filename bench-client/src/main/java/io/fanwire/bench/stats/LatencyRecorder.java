package io.fanwire.bench.stats;

import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A latency distribution recorded from any number of event loops at once, in microseconds. Backed by
 * HdrHistogram's {@link Recorder}: writers never wait, and {@link #interval()} takes a stable sample of what
 * was recorded since the last one while recording goes on. {@link #total()} is the sum of all intervals.
 */
public final class LatencyRecorder {

    /** Largest value kept exactly enough: one hour, in microseconds. */
    public static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);
    /** Three significant digits: 0.1 % resolution. */
    public static final int SIGNIFICANT_DIGITS = 3;

    private final Recorder recorder = new Recorder(HIGHEST_MICROS, SIGNIFICANT_DIGITS);
    private final Histogram total = newHistogram();
    private Histogram recycled;

    /** A histogram with the recorder's range and precision. */
    public static Histogram newHistogram() {
        return new Histogram(HIGHEST_MICROS, SIGNIFICANT_DIGITS);
    }

    /** Records a latency given in nanoseconds; negative values (clock steps) count as 0, huge ones are capped. */
    public void recordNanos(long nanos) {
        long micros = Math.max(0, nanos / 1000);
        recorder.recordValue(Math.min(micros, HIGHEST_MICROS));
    }

    /**
     * What was recorded since the previous call, also added to {@link #total()}. The result is the caller's
     * (a copy); call from one thread at a time.
     */
    public synchronized Histogram interval() {
        recycled = recorder.getIntervalHistogram(recycled);
        total.add(recycled);
        return recycled.copy();
    }

    /** Everything recorded so far (takes an interval first). */
    public synchronized Histogram total() {
        interval();
        return total.copy();
    }

    /** Forgets everything recorded, between tiers. */
    public synchronized void reset() {
        recorder.reset();
        total.reset();
    }
}
