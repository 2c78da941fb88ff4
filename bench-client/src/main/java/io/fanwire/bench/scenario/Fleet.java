package io.fanwire.bench.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.fanwire.bench.client.BenchClient;
import io.fanwire.bench.client.BenchConnection;
import io.fanwire.bench.client.ConnectFailure;
import io.fanwire.bench.client.ConnectionListener;
import io.fanwire.bench.report.Metric;
import io.fanwire.bench.stats.Counters;
import io.fanwire.bench.stats.LatencyRecorder;
import io.netty.channel.ChannelFuture;

/**
 * A set of open connections and how opening them went: connection attempts are paced (at most
 * {@code batchSize} in flight, at most {@code rampRate} new ones per second), each one's time from TCP
 * connect to ready is recorded, and failures are counted by reason ({@code connect_failed.http_401}…).
 */
public final class Fleet {

    private final List<BenchConnection> connections = Collections.synchronizedList(new ArrayList<>());
    private final LatencyRecorder handshakes = new LatencyRecorder();
    private volatile Counters counters = new Counters();
    private volatile long openedNanos;

    /** The open connections (a live, synchronized list). */
    public List<BenchConnection> connections() {
        return connections;
    }

    public int size() {
        return connections.size();
    }

    /** Connections that are still open. */
    public int active() {
        int n = 0;
        synchronized (connections) {
            for (BenchConnection c : connections) {
                if (c.isActive()) {
                    n++;
                }
            }
        }
        return n;
    }

    public LatencyRecorder handshakes() {
        return handshakes;
    }

    /** Forgets the handshakes and counts of earlier {@link #open} calls (a kept fleet's next tier). */
    public void resetMeasurements() {
        handshakes.reset();
        counters = new Counters();
    }

    /** {@code connected}, {@code connect_failed} and {@code connect_failed.<reason>} counts. */
    public Counters counters() {
        return counters;
    }

    /** Seconds the last {@link #open} took from the first attempt to the last answer. */
    public double openedSeconds() {
        return openedNanos / 1e9;
    }

    /**
     * Opens {@code count} connections with indexes {@code fromIndex…}, paced, and waits until every attempt
     * succeeded or failed; gives up when no attempt answered for {@code timeout}.
     *
     * @return how many became ready
     */
    public int open(BenchClient client, int fromIndex, int count, ConnectionListener listener, int batchSize,
                    double rampRate, Duration timeout) throws InterruptedException {
        if (client.options().carrier() != io.fanwire.bench.client.TokenCarrier.NONE) {
            // Signing is not what a connect storm measures: sign every token first, on all cores.
            client.options().tokens().prepare(fromIndex, count);
        }
        Semaphore inFlight = new Semaphore(Math.max(1, batchSize));
        CountDownLatch answered = new CountDownLatch(count);
        long start = System.nanoTime();
        // Every attempt answers within the timeout: waiting longer than that for a free slot means the
        // client is stuck, however many connections are still to open.
        long patience = timeout.toNanos();
        int ok0 = connections.size();
        for (int i = 0; i < count; i++) {
            if (rampRate > 0) {
                long due = start + (long) (i / rampRate * 1e9);
                for (long wait; (wait = due - System.nanoTime()) > 0; ) {
                    LockSupport.parkNanos(wait);
                }
            }
            if (!inFlight.tryAcquire(patience, TimeUnit.NANOSECONDS)) {
                break;
            }
            client.connect(fromIndex + i, listener).addListener(f -> {
                inFlight.release();
                if (f.isSuccess()) {
                    BenchConnection c = (BenchConnection) f.getNow();
                    handshakes.recordNanos(c.readyNanos() - c.connectStartNanos());
                    connections.add(c);
                    counters.add(Metric.CONNECTED, 1);
                } else {
                    counters.add(Metric.CONNECT_FAILED, 1);
                    String reason = f.cause() instanceof ConnectFailure failure ? failure.reason() : "error";
                    counters.add(Metric.CONNECT_FAILED + "." + reason, 1);
                }
                answered.countDown();
            });
        }
        answered.await(patience, TimeUnit.NANOSECONDS);
        openedNanos = System.nanoTime() - start;
        return connections.size() - ok0;
    }

    /** Closes every connection cleanly (close frame), waiting at most {@code timeout}, then forcibly. */
    public void closeAll(Duration timeout) throws InterruptedException {
        List<BenchConnection> all;
        synchronized (connections) {
            all = new ArrayList<>(connections);
            connections.clear();
        }
        CountDownLatch closed = new CountDownLatch(all.size());
        for (BenchConnection c : all) {
            c.close().addListener((ChannelFuture f) -> closed.countDown());
        }
        if (!closed.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            for (BenchConnection c : all) {
                c.channel().close();
            }
        }
    }

    /** Keeps the first {@code n} connections and closes the rest. */
    public void trimTo(int n, Duration timeout) throws InterruptedException {
        List<BenchConnection> extra;
        synchronized (connections) {
            if (connections.size() <= n) {
                return;
            }
            extra = new ArrayList<>(connections.subList(n, connections.size()));
            connections.subList(n, connections.size()).clear();
        }
        CountDownLatch closed = new CountDownLatch(extra.size());
        for (BenchConnection c : extra) {
            c.close().addListener((ChannelFuture f) -> closed.countDown());
        }
        closed.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
