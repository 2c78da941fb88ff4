package io.fanwire.bench.load;

import java.util.concurrent.atomic.LongAdder;

import io.fanwire.bench.client.BenchConnection;

/**
 * Fire-and-forget at the rate the connection can take: writes while the channel is writable until the end
 * time, flushing every burst and yielding the event loop between bursts; waits for writability otherwise
 * (nothing is queued beyond the channel's water mark). No schedule, so no latency: throughput only.
 */
public final class Blaster implements Runnable {

    /** Messages written per turn of the event loop. */
    static final int BURST = 64;

    private final BenchConnection connection;
    private final Pacer.Sender sender;
    private final long endNanos;
    private final LongAdder sent;
    private long seq;
    private boolean waiting;
    private boolean stopped;

    public Blaster(BenchConnection connection, Pacer.Sender sender, long endNanos, LongAdder sent) {
        this.connection = connection;
        this.sender = sender;
        this.endNanos = endNanos;
        this.sent = sent;
    }

    /** Starts blasting on the connection's event loop. */
    public Blaster start() {
        connection.eventLoop().execute(this);
        return this;
    }

    @Override
    public void run() {
        if (stopped) {
            return;
        }
        long now = System.nanoTime();
        if (now - endNanos >= 0 || !connection.isActive()) {
            stopped = true;
            return;
        }
        int n = 0;
        while (n < BURST && connection.isWritable()) {
            sender.send(connection, seq++, now);
            sent.increment();
            n++;
        }
        connection.flush();
        if (connection.isWritable()) {
            connection.eventLoop().execute(this);
        } else {
            waiting = true;
        }
    }

    /** Stops blasting; the returned future completes once no more sends can happen. */
    public io.netty.util.concurrent.Future<?> stop() {
        return connection.eventLoop().submit(() -> {
            stopped = true;
        });
    }

    /** The connection is writable again. Call on the event loop. */
    public void resume() {
        if (waiting) {
            waiting = false;
            run();
        }
    }
}
