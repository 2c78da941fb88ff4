package io.fanwire.server.drain;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.fanwire.server.ServerConfig.DrainConfig;
import io.fanwire.server.metrics.ServerStats;

/**
 * Counts events (and their bytes) waiting for the application and stops reading from sockets while there
 * are too many.
 *
 * <p>Above a high-water mark (of events or of bytes) every connection that delivers another event is parked:
 * its reads are paused. When the application has taken enough for both counts to fall to their low-water
 * marks, every parked connection resumes. Reads already under way when a connection parks still arrive, so
 * the counts may pass the high-water marks; messages beyond the capacities are refused (and the client told),
 * while connect and disconnect events are always counted in. Counting bytes as well as events keeps a flood
 * of large messages from holding gigabytes while the event count looks harmless.
 */
final class Backpressure {

    /** What an event costs besides its message bytes: the event, envelope and bookkeeping objects. */
    static final int EVENT_OVERHEAD_BYTES = 128;

    private final DrainConfig config;
    private final ServerStats stats;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final Set<EventSource> parked = new LinkedHashSet<>();
    private volatile boolean paused;

    Backpressure(DrainConfig config, ServerStats stats) {
        this.config = config;
        this.stats = stats;
    }

    /** What {@code event} weighs in the byte count. */
    static int weight(InboundEvent event) {
        return event instanceof InboundEvent.Message m ? EVENT_OVERHEAD_BYTES + m.raw().length : EVENT_OVERHEAD_BYTES;
    }

    /**
     * Counts one more pending event of {@code bytes}; a message ({@code mandatory == false}) is refused at
     * capacity.
     */
    boolean tryAcquire(boolean mandatory, int bytes) {
        int now = pending.incrementAndGet();
        long nowBytes = pendingBytes.addAndGet(bytes);
        if (!mandatory && (now > config.capacityEvents() || nowBytes > config.capacityBytes())) {
            pending.decrementAndGet();
            pendingBytes.addAndGet(-bytes);
            return false;
        }
        if (!paused && aboveHighWater(now, nowBytes)) {
            synchronized (lock) {
                if (!paused && aboveHighWater(pending.get(), pendingBytes.get())) {
                    paused = true;
                    stats.backpressurePauses.increment();
                }
            }
        }
        return true;
    }

    private boolean aboveHighWater(int events, long bytes) {
        return events >= config.highWaterEvents() || bytes >= config.highWaterBytes();
    }

    private boolean atLowWater(int events, long bytes) {
        return events <= config.lowWaterEvents() && bytes <= config.lowWaterBytes();
    }

    /** Pauses {@code source}'s reads while the application is behind. Called on its event loop. */
    void parkIfPaused(EventSource source) {
        if (!paused) {
            return;
        }
        synchronized (lock) {
            // Pausing again when already parked is deliberate: a resume that raced with a new pause may
            // have switched reads back on.
            if (paused) {
                parked.add(source);
                source.pauseReading();
            }
        }
    }

    /** Counts {@code events} events of {@code bytes} as taken by the application, resuming at the low-water marks. */
    void release(int events, long bytes) {
        int now = pending.addAndGet(-events);
        long nowBytes = pendingBytes.addAndGet(-bytes);
        if (!atLowWater(now, nowBytes)) {
            return;
        }
        // Checked under the lock, never before it: a producer may be setting paused right now on numbers
        // that this release has just made stale, and nobody else would resume it.
        List<EventSource> resume;
        synchronized (lock) {
            if (!paused || !atLowWater(pending.get(), pendingBytes.get())) {
                return;
            }
            paused = false;
            resume = new ArrayList<>(parked);
            parked.clear();
        }
        for (EventSource source : resume) {
            source.resumeReading();
        }
    }

    /** Forgets a closed connection. */
    void forget(EventSource source) {
        synchronized (lock) {
            parked.remove(source);
        }
    }

    /** Events accepted and not yet taken by the application. */
    int pending() {
        return pending.get();
    }

    /** Bytes of the events accepted and not yet taken. */
    long pendingBytes() {
        return pendingBytes.get();
    }

    /** Whether reads are paused now. */
    boolean paused() {
        return paused;
    }

    /** Connections whose reads are paused now. */
    int parkedCount() {
        synchronized (lock) {
            return parked.size();
        }
    }
}
