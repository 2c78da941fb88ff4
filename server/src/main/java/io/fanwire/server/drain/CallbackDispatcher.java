package io.fanwire.server.drain;

import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fanwire.server.ServerConfig.DrainConfig;
import io.fanwire.server.metrics.ServerStats;

/**
 * Callback mode: hands events to an {@link EventHandler} on the application's executor. Each connection
 * has a mailbox that at most one executor task drains at a time, so a connection's events are handled in
 * order while different connections proceed in parallel. Pending events are bounded by the same
 * {@link Backpressure} as drain mode.
 */
public final class CallbackDispatcher implements EventSink {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackDispatcher.class);
    /** Events one task handles before yielding the executor thread to other connections. */
    private static final int BATCH = 64;

    private final EventHandler handler;
    private final Executor executor;
    private final Backpressure backpressure;
    private final ServerStats stats;

    public CallbackDispatcher(EventHandler handler, Executor executor, DrainConfig config, ServerStats stats) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.backpressure = new Backpressure(config, stats);
        this.stats = stats;
    }

    @Override
    public boolean offer(InboundEvent event, EventSource source) {
        if (!backpressure.tryAcquire(!(event instanceof InboundEvent.Message), Backpressure.weight(event))) {
            stats.eventsRejected.increment();
            return false;
        }
        Mailbox mailbox = (Mailbox) source.sinkState();
        if (mailbox == null) {
            mailbox = new Mailbox();
            source.sinkState(mailbox);
        }
        mailbox.events.add(event);
        stats.eventsEnqueued.increment();
        mailbox.schedule();
        backpressure.parkIfPaused(source);
        return true;
    }

    @Override
    public void release(EventSource source) {
        backpressure.forget(source);
    }

    /** Events accepted and not yet handled. */
    public int pending() {
        return backpressure.pending();
    }

    /** Bytes of the events accepted and not yet handled (message bytes plus a fixed cost per event). */
    public long pendingBytes() {
        return backpressure.pendingBytes();
    }

    /** Connections whose reads are paused now. */
    public int parkedConnections() {
        return backpressure.parkedCount();
    }

    private final class Mailbox implements Runnable {
        final ConcurrentLinkedQueue<InboundEvent> events = new ConcurrentLinkedQueue<>();
        final AtomicBoolean scheduled = new AtomicBoolean();

        void schedule() {
            if (scheduled.compareAndSet(false, true)) {
                try {
                    executor.execute(this);
                } catch (RejectedExecutionException e) {
                    scheduled.set(false);
                    int dropped = 0;
                    long bytes = 0;
                    for (InboundEvent refused; (refused = events.poll()) != null; ) {
                        dropped++;
                        bytes += Backpressure.weight(refused);
                    }
                    backpressure.release(dropped, bytes);
                    stats.handlerErrors.add(dropped);
                    LOG.warn("Callback executor refused {} event(s); they were not handled", dropped, e);
                }
            }
        }

        @Override
        public void run() {
            int handled = 0;
            InboundEvent event;
            while (handled < BATCH && (event = events.poll()) != null) {
                handled++;
                try {
                    handler.handle(event);
                } catch (Throwable e) {
                    if (e instanceof VirtualMachineError fatal) {
                        throw fatal;
                    }
                    stats.handlerErrors.increment();
                    LOG.warn("Event handler failed on {} of connection {}", event.getClass().getSimpleName(),
                            event.connection().id(), e);
                } finally {
                    backpressure.release(1, Backpressure.weight(event));
                    stats.eventsDelivered.increment();
                }
            }
            scheduled.set(false);
            if (!events.isEmpty()) {
                schedule();
            }
        }
    }
}
