package io.fanwire.microbench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

import io.fanwire.common.codec.DecodeLimits;
import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.codec.WireFormat;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ProtocolException;
import io.fanwire.server.ServerConfig.DrainConfig;
import io.fanwire.server.drain.ConnectionInfo;
import io.fanwire.server.drain.DrainQueue;
import io.fanwire.server.drain.EventSource;
import io.fanwire.server.drain.InboundEvent;
import io.fanwire.server.metrics.ServerStats;

/**
 * The drain queue between event loops and the application: producer threads {@link DrainQueue#offer} chat
 * messages as connections' event loops do, one drainer takes batches of up to {@value #BATCH} with
 * {@link DrainQueue#drainTo}, as an application loop calling {@code FanwireServer.drainTo} does. The queue has
 * the default bounds ({@link DrainConfig#DEFAULT}): when the drainer falls behind, backpressure pauses the
 * producers' "reads", exactly as it pauses sockets, and resumes them at the low-water mark.
 *
 * <p>The figures to read are the auxiliary counters, in events per second: {@code eventsOffered} (accepted by
 * the queue), {@code offersRefused} (at capacity; expected 0, since paused producers stop offering),
 * {@code eventsDrained}, and {@code readPauses} (how often the queue reached its high-water mark). The primary
 * score of the drain method counts calls, including those that found the queue empty.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {EventLoopLikeExecutor.JMH_EXECUTOR, EventLoopLikeExecutor.JMH_EXECUTOR_CLASS})
public class DrainQueueBenchmark {

    /** The application's batch size. */
    static final int BATCH = 1024;
    /** How long the drainer waits for a first event, as an application loop would. */
    static final Duration DRAIN_TIMEOUT = Duration.ofMillis(10);
    /** How long a paused producer sleeps before it looks at JMH's stop flag again. */
    private static final long PAUSED_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private ServerStats stats;
    private DrainQueue queue;

    @Setup(Level.Trial)
    public void setUp() {
        stats = new ServerStats();
        queue = new DrainQueue(DrainConfig.DEFAULT, stats);
    }

    /** One producer: a connection that sends the same chat message over and over. */
    @State(Scope.Thread)
    public static class Producer {
        private static final AtomicInteger PORTS = new AtomicInteger(40_000);

        ParkingSource source;
        InboundEvent.Message event;

        @Setup(Level.Trial)
        public void setUp() throws ProtocolException {
            source = new ParkingSource(Thread.currentThread());
            FrameCodec codec = new FrameCodec(DecodeLimits.DEFAULT);
            byte[] raw = codec.json().encodeToBytes(SampleMessages.chat());
            Envelope envelope = codec.json().decode(raw, 0, raw.length);
            int port = PORTS.getAndIncrement();
            ConnectionInfo connection = new ConnectionInfo(UUID.randomUUID(), "user-" + port,
                    Map.of("sub", "user-" + port), new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                    Instant.now(), WireFormat.JSON);
            event = new InboundEvent.Message(connection, envelope, raw);
        }
    }

    /** The drainer's reusable batch list. */
    @State(Scope.Thread)
    public static class Drainer {
        final List<InboundEvent> batch = new ArrayList<>(BATCH);
        long pausesSeen;
    }

    /** Producer-side counts, reported by JMH as rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class OfferCounts {
        public long eventsOffered;
        public long offersRefused;

        @Setup(Level.Iteration)
        public void reset() {
            eventsOffered = 0;
            offersRefused = 0;
        }
    }

    /** Drainer-side counts, reported by JMH as rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class DrainCounts {
        public long eventsDrained;
        /** Times the queue passed its high-water mark and paused the producers. */
        public long readPauses;

        @Setup(Level.Iteration)
        public void reset() {
            eventsDrained = 0;
            readPauses = 0;
        }
    }

    @Benchmark
    @Group("oneProducer")
    @GroupThreads(1)
    public void oneProducerOffer(Producer producer, OfferCounts counts, Control control) {
        offer(producer, counts, control);
    }

    @Benchmark
    @Group("oneProducer")
    @GroupThreads(1)
    public int oneProducerDrain(Drainer drainer, DrainCounts counts) throws InterruptedException {
        return drain(drainer, counts);
    }

    @Benchmark
    @Group("twoProducers")
    @GroupThreads(2)
    public void twoProducersOffer(Producer producer, OfferCounts counts, Control control) {
        offer(producer, counts, control);
    }

    @Benchmark
    @Group("twoProducers")
    @GroupThreads(1)
    public int twoProducersDrain(Drainer drainer, DrainCounts counts) throws InterruptedException {
        return drain(drainer, counts);
    }

    private void offer(Producer producer, OfferCounts counts, Control control) {
        ParkingSource source = producer.source;
        // A paused connection reads nothing until the drainer resumes it; JMH's stop flag ends the wait
        // when the drainer has already finished its iteration.
        while (source.paused && !control.stopMeasurement) {
            LockSupport.parkNanos(source, PAUSED_PARK_NANOS);
        }
        if (source.paused) {
            return;
        }
        if (queue.offer(producer.event, source)) {
            counts.eventsOffered++;
        } else {
            counts.offersRefused++;
        }
    }

    private int drain(Drainer drainer, DrainCounts counts) throws InterruptedException {
        int n = queue.drainTo(drainer.batch, BATCH, DRAIN_TIMEOUT);
        counts.eventsDrained += n;
        drainer.batch.clear();
        // Pauses are rare and counted under a lock, so the adder has no cells and this is one read.
        long pauses = stats.backpressurePauses.sum();
        counts.readPauses += pauses - drainer.pausesSeen;
        drainer.pausesSeen = pauses;
        return n;
    }

    /**
     * A connection as the queue sees it: pausing stops the producer, resuming wakes it, as
     * {@code setAutoRead(false)} and a task on the event loop do for a real connection.
     */
    static final class ParkingSource implements EventSource {
        private final Thread producer;
        private volatile boolean paused;
        private volatile Object sinkState;

        ParkingSource(Thread producer) {
            this.producer = producer;
        }

        @Override
        public void pauseReading() {
            paused = true;
        }

        @Override
        public void resumeReading() {
            paused = false;
            LockSupport.unpark(producer);
        }

        @Override
        public Object sinkState() {
            return sinkState;
        }

        @Override
        public void sinkState(Object state) {
            sinkState = state;
        }
    }
}
