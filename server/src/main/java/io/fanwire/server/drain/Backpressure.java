package io.fanwire.server.drain;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.fanwire.server.ServerConfig.DrainConfig;
import io.fanwire.server.metrics.ServerStats;

/**
 * Counts events waiting for the application and stops reading from sockets while there are too many.
 *
 * <p>Above the high-water mark every connection that delivers another event is parked: its reads are paused.
 * When the application has taken enough events to fall to the low-water mark, every parked connection
 * resumes. Reads already under way when a connection parks still arrive, so the count may pass the
 * high-water mark; messages beyond the capacity are refused (and the client told), while connect and
 * disconnect events are always counted in.
 */
final class Backpressure {

    private final DrainConfig config;
    private final ServerStats stats;
    private final AtomicInteger pending = new AtomicInteger();
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final Set<EventSource> parked = new LinkedHashSet<>();
    private volatile boolean paused;

    Backpressure(DrainConfig config, ServerStats stats) {
        this.config = config;
        this.stats = stats;
    }

    /** Counts one more pending event; a message ({@code mandatory == false}) is refused at capacity. */
    boolean tryAcquire(boolean mandatory) {
        int now = pending.incrementAndGet();
        if (!mandatory && now > config.capacityEvents()) {
            pending.decrementAndGet();
            return false;
        }
        if (now >= config.highWaterEvents() && !paused) {
            synchronized (lock) {
                if (!paused && pending.get() >= config.highWaterEvents()) {
                    paused = true;
                    stats.backpressurePauses.increment();
                }
            }
        }
        return true;
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

    /** Counts {@code n} events as taken by the application, resuming reads at the low-water mark. */
    void release(int n) {
        int now = pending.addAndGet(-n);
        if (!paused || now > config.lowWaterEvents()) {
            return;
        }
        List<EventSource> resume;
        synchronized (lock) {
            if (!paused || pending.get() > config.lowWaterEvents()) {
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

    /** Whether {@code source} is parked now. */
    boolean isParked(EventSource source) {
        synchronized (lock) {
            return parked.contains(source);
        }
    }

    /** Events accepted and not yet taken by the application. */
    int pending() {
        return pending.get();
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
