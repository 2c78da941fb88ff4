package io.fanwire.server.drain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.fanwire.server.ServerConfig.DrainConfig;
import io.fanwire.server.metrics.ServerStats;

/**
 * Drain mode: every connection's events go to one queue that the application empties in batches with
 * {@link #drain(int, Duration)}. Events of one connection keep their order. The queue is bounded by
 * {@link Backpressure}: past its high-water mark the server stops reading from sockets, so nothing accepted
 * is dropped.
 */
public final class DrainQueue implements EventSink {

    private final LinkedBlockingQueue<InboundEvent> queue = new LinkedBlockingQueue<>();
    private final Backpressure backpressure;
    private final ServerStats stats;

    public DrainQueue(DrainConfig config, ServerStats stats) {
        this.backpressure = new Backpressure(config, stats);
        this.stats = stats;
    }

    @Override
    public boolean offer(InboundEvent event, EventSource source) {
        if (!backpressure.tryAcquire(!(event instanceof InboundEvent.Message), Backpressure.weight(event))) {
            stats.eventsRejected.increment();
            return false;
        }
        queue.add(event);
        stats.eventsEnqueued.increment();
        backpressure.parkIfPaused(source);
        return true;
    }

    @Override
    public void release(EventSource source) {
        backpressure.forget(source);
    }

    /**
     * Takes up to {@code maxEvents} events, waiting up to {@code timeout} for the first one.
     *
     * @return the events in arrival order; empty when none arrived in time
     * @throws InterruptedException when interrupted while waiting
     */
    public List<InboundEvent> drain(int maxEvents, Duration timeout) throws InterruptedException {
        List<InboundEvent> batch = new ArrayList<>(Math.min(maxEvents, 1024));
        drainTo(batch, maxEvents, timeout);
        return batch;
    }

    /**
     * Like {@link #drain(int, Duration)}, adding to {@code into} (which the caller may reuse between batches).
     *
     * @return how many events were added
     * @throws InterruptedException when interrupted while waiting
     */
    public int drainTo(Collection<? super InboundEvent> into, int maxEvents, Duration timeout)
            throws InterruptedException {
        if (maxEvents <= 0) {
            throw new IllegalArgumentException("maxEvents: " + maxEvents + " (expected: > 0)");
        }
        InboundEvent first = queue.poll();
        if (first == null) {
            if (timeout.isZero() || timeout.isNegative()) {
                return 0;
            }
            first = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (first == null) {
                return 0;
            }
        }
        into.add(first);
        long bytes = Backpressure.weight(first);
        int n = 1;
        for (InboundEvent next; n < maxEvents && (next = queue.poll()) != null; n++) {
            into.add(next);
            bytes += Backpressure.weight(next);
        }
        backpressure.release(n, bytes);
        stats.eventsDelivered.add(n);
        return n;
    }

    /** Events waiting to be drained. */
    public int depth() {
        return backpressure.pending();
    }

    /** Bytes of the events waiting to be drained (message bytes plus a fixed cost per event). */
    public long depthBytes() {
        return backpressure.pendingBytes();
    }

    /** Whether reading from sockets is paused because the queue is above its high-water mark. */
    public boolean paused() {
        return backpressure.paused();
    }

    /** Connections whose reads are paused now. */
    public int parkedConnections() {
        return backpressure.parkedCount();
    }
}
