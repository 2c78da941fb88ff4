package io.fanwire.bench.load;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.fanwire.bench.client.BenchConnection;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * A constant-arrival (open-loop) schedule kept on the event loops, wrk2 style. Every connection gets its
 * share of the aggregate {@link RateShape}, phase-shifted so that the connections together send evenly.
 * Message {@code k} of a connection has an <em>intended</em> send time fixed in advance; the sender is
 * called with it so that latency can be measured from it, not from when the send actually happened. A
 * send that goes out more than the late threshold after its intended time is counted in {@link #lateSends()};
 * while a connection cannot take writes nothing is queued, and the sends it missed go out (late, with their
 * intended times) once it can, or are counted in {@link #unsent()} when the schedule ends first.
 */
public final class Pacer {

    /** Sends one scheduled message. Called on the connection's event loop; must not flush (the pacer does). */
    @FunctionalInterface
    public interface Sender {
        void send(BenchConnection connection, long seq, long intendedNanos);
    }

    /** A burst of catch-up sends longer than this yields the event loop before it goes on. */
    static final int MAX_BURST = 256;

    private final RateShape shape;
    private final int connections;
    private final long startNanos;
    private final long endNanos;
    private final long lateThresholdNanos;
    private final int maxInFlight;
    private final LongAdder sent = new LongAdder();
    private final LongAdder late = new LongAdder();
    private final LongAdder scheduled = new LongAdder();
    private final ConcurrentLinkedQueue<Stream> streams = new ConcurrentLinkedQueue<>();

    /**
     * @param shape        the aggregate rate over all {@code connections}
     * @param connections  how many connections share the rate
     * @param startNanos   {@link System#nanoTime()} of the schedule's start
     * @param duration     how long the schedule runs
     * @param lateThreshold a send later than this after its intended time is counted late
     */
    public Pacer(RateShape shape, int connections, long startNanos, Duration duration, Duration lateThreshold) {
        this(shape, connections, startNanos, duration, lateThreshold, 0);
    }

    /**
     * A pacer that lets at most {@code maxInFlight} messages per connection await their answer (0: no limit),
     * as wrk2 keeps one request per connection outstanding: a send due while the window is full waits for
     * {@link Stream#answered()} and goes out late, its latency still counted from its intended time.
     */
    public Pacer(RateShape shape, int connections, long startNanos, Duration duration, Duration lateThreshold,
                 int maxInFlight) {
        this.shape = Objects.requireNonNull(shape, "shape");
        if (connections <= 0) {
            throw new IllegalArgumentException("connections: " + connections + " (expected: > 0)");
        }
        this.connections = connections;
        this.startNanos = startNanos;
        this.endNanos = startNanos + duration.toNanos();
        this.lateThresholdNanos = lateThreshold.toNanos();
        if (maxInFlight < 0) {
            throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: >= 0)");
        }
        this.maxInFlight = maxInFlight;
    }

    /** The intended time of the first message of the connection in {@code slot} (0 ≤ slot < connections). */
    long firstIntended(int slot) {
        return startNanos + (long) (Math.floorMod(slot, connections) * 1e9 / shape.ratePerSecond(0));
    }

    /** The intended time after {@code previous} for one connection. */
    long nextIntended(long previous) {
        double perConnection = Math.max(RateShape.MIN_RATE, shape.ratePerSecond(previous - startNanos)) / connections;
        return previous + Math.max(1, (long) (1e9 / perConnection));
    }

    /** How many sends the schedule of the connection in {@code slot} holds before the end. */
    long scheduled(int slot) {
        long n = 0;
        for (long t = firstIntended(slot); t < endNanos; t = nextIntended(t)) {
            n++;
        }
        return n;
    }

    /** Starts pacing {@code connection}, whose place in the phase spread is {@code slot}. */
    public Stream start(BenchConnection connection, int slot, Sender sender) {
        Stream stream = new Stream(connection, sender, firstIntended(slot));
        scheduled.add(scheduled(slot));
        streams.add(stream);
        connection.eventLoop().execute(stream);
        return stream;
    }

    /** {@link System#nanoTime()} at which the schedule ends. */
    public long endNanos() {
        return endNanos;
    }

    /**
     * Stops every stream (on its event loop) and waits at most {@code timeout} for them; after it returns
     * true no stream sends any more. Call after {@link #endNanos()}; never on an event loop.
     */
    public boolean stopAndWait(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Future<?>> stopped = new java.util.ArrayList<>();
        for (Stream stream : streams) {
            stopped.add(stream.connection.eventLoop().submit(stream::stop));
        }
        boolean all = true;
        for (Future<?> f : stopped) {
            all &= f.awaitUninterruptibly(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        return all;
    }

    /** Messages sent so far. */
    public long sent() {
        return sent.sum();
    }

    /** Sends that went out later than the threshold after their intended time. */
    public long lateSends() {
        return late.sum();
    }

    /** Sends the schedule held for the started streams. */
    public long scheduled() {
        return scheduled.sum();
    }

    /**
     * Scheduled sends that never went out (the connection could not take them, or the machine could not run
     * them, before the end). Exact once {@link #stopAndWait} returned true.
     */
    public long unsent() {
        return Math.max(0, scheduled.sum() - sent.sum());
    }

    /** The streams started, for tests. */
    List<Stream> streams() {
        return List.copyOf(streams);
    }

    /** One connection's share of the schedule. Runs only on the connection's event loop. */
    public final class Stream implements Runnable {
        private final BenchConnection connection;
        private final Sender sender;
        private long next;
        private long seq;
        private boolean waitingForWritable;
        private boolean waitingForAnswer;
        private int inFlight;
        private boolean stopped;
        private ScheduledFuture<?> timer;

        Stream(BenchConnection connection, Sender sender, long first) {
            this.connection = connection;
            this.sender = sender;
            this.next = first;
        }

        @Override
        public void run() {
            timer = null;
            if (stopped) {
                return;
            }
            long now = System.nanoTime();
            int burst = 0;
            boolean wrote = false;
            while (next <= now && next < endNanos) {
                if (!connection.isActive()) {
                    stop();
                    return;
                }
                if (!connection.isWritable()) {
                    waitingForWritable = true;
                    break;
                }
                if (maxInFlight > 0 && inFlight >= maxInFlight) {
                    waitingForAnswer = true;
                    break;
                }
                if (now - next > lateThresholdNanos) {
                    late.increment();
                }
                sender.send(connection, seq++, next);
                inFlight++;
                sent.increment();
                wrote = true;
                next = nextIntended(next);
                if (++burst >= MAX_BURST) {
                    connection.flush();
                    connection.eventLoop().execute(this);
                    return;
                }
            }
            if (wrote) {
                connection.flush();
            }
            if (waitingForWritable || waitingForAnswer) {
                return;
            }
            if (next < endNanos) {
                timer = connection.eventLoop().schedule(this, next - now, TimeUnit.NANOSECONDS);
            }
        }

        /** The connection can take writes again: send what is due. Call on the event loop. */
        public void resume() {
            if (waitingForWritable && !stopped) {
                waitingForWritable = false;
                run();
            }
        }

        /** An answer to one of this stream's messages arrived: the window has room again. Call on the event loop. */
        public void answered() {
            if (inFlight > 0) {
                inFlight--;
            }
            if (waitingForAnswer && !stopped) {
                waitingForAnswer = false;
                run();
            }
        }

        /** Stops the stream. Call on the event loop. */
        void stop() {
            stopped = true;
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }

        /** Messages this stream sent. */
        public long seq() {
            return seq;
        }
    }
}
