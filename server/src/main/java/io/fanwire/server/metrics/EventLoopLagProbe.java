package io.fanwire.server.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

/**
 * Measures how late each event loop runs a task it scheduled: one probe per loop reschedules itself every
 * {@code interval} and records, in {@code fanwire_event_loop_lag_seconds{loop}}, how long after its due time it
 * ran. A loop that is busy (or blocked) shows it here before anything else. Rescheduled after each run, not at a
 * fixed rate, so that one long stall is one late run rather than a burst of catching-up runs. The {@code loop}
 * label is the loop's index in its group, bounded by the number of I/O threads.
 */
public final class EventLoopLagProbe implements AutoCloseable {

    /** How often each loop is probed unless told otherwise. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(500);

    static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(5)};

    private final List<Probe> probes = new ArrayList<>();
    private final MeterRegistry registry;
    private final long intervalNanos;
    private volatile boolean stopped;

    /** A probe for each of {@code loops}, recording into {@code registry}; {@link #start()} starts them. */
    public EventLoopLagProbe(Iterable<? extends EventExecutor> loops, MeterRegistry registry, Duration interval) {
        this.registry = Objects.requireNonNull(registry, "registry");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
        }
        this.intervalNanos = interval.toNanos();
        int index = 0;
        for (EventExecutor loop : loops) {
            Timer timer = Timer.builder("fanwire.event_loop.lag")
                    .description("How late a task scheduled on an event loop ran, by loop index")
                    .tag("loop", Integer.toString(index++))
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry);
            probes.add(new Probe(loop, timer));
        }
    }

    /** Schedules the first probe on every loop. */
    public void start() {
        for (Probe probe : probes) {
            probe.schedule();
        }
    }

    /** Stops probing (a probe already running finishes) and removes the timers from the registry. */
    @Override
    public void close() {
        stopped = true;
        for (Probe probe : probes) {
            probe.cancel();
            registry.remove(probe.timer);
        }
    }

    private final class Probe implements Runnable {
        private final EventExecutor loop;
        private final Timer timer;
        /** When the pending run is due, on the loop's ticker. Written before scheduling, read on the loop. */
        private volatile long dueNanos;
        private volatile Future<?> pending;

        Probe(EventExecutor loop, Timer timer) {
            this.loop = loop;
            this.timer = timer;
        }

        void schedule() {
            if (stopped || loop.isShuttingDown()) {
                return;
            }
            dueNanos = loop.ticker().nanoTime() + intervalNanos;
            try {
                pending = loop.schedule(this, intervalNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException ignored) {
                // The loop is shutting down with the server: nothing left to measure.
            }
        }

        @Override
        public void run() {
            timer.record(Math.max(0, loop.ticker().nanoTime() - dueNanos), TimeUnit.NANOSECONDS);
            schedule();
        }

        void cancel() {
            Future<?> f = pending;
            if (f != null) {
                f.cancel(false);
            }
        }
    }
}
