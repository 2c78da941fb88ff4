package io.fanwire.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import io.fanwire.bench.client.BenchClient;
import io.fanwire.bench.client.BenchConnection;
import io.fanwire.bench.client.ConnectionListener;
import io.fanwire.bench.load.Blaster;
import io.fanwire.bench.load.Pacer;
import io.fanwire.bench.load.RateShape;
import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;
import io.fanwire.bench.scenario.Payloads.Encoding;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.MessageTypes;
import io.netty.buffer.ByteBuf;
import io.fanwire.bench.worker.WorkerPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code throughput}: inbound ingest. Every connection sends messages of type {@code bench} (which the built-in
 * apps count and do not answer), paced at {@code --rate} per connection or, with {@code --rate 0}, as fast as
 * the connection takes them. The figure is what the <em>server</em> counted ({@code fanwire_messages_in_total}
 * from {@code /metrics}, or {@code /api/info}), compared with what was sent; the difference is loss.
 */
@Command(name = "throughput", mixinStandardHelpOptions = true,
        description = "Inbound messages per second as the server counts them, per tier and payload size; loss beside it.")
public final class Throughput extends BaseScenario {

    /** The type the built-in apps count without answering. */
    static final String TYPE = "bench";
    static final double DEFAULT_RATE = 100;

    @Option(names = "--payloads", paramLabel = "SIZES", description = "Payload sizes to run per tier, e.g. 64,1k,16k (default: --payload).")
    String payloads;

    @Override
    public String name() {
        return "throughput";
    }

    @Override
    public boolean supportsWorkers() {
        return true;
    }

    @Override
    public String title() {
        return "Throughput (ingest)";
    }

    @Override
    public String measures() {
        return "Messages per second the server counted as received (its own fanwire_messages_in_total), with the "
                + "client's sends beside them; lost = sent - server-counted. Paced at --rate per connection, or as "
                + "fast as each connection takes with --rate 0.";
    }

    @Override
    public boolean closedLoop() {
        return false;
    }

    @Override
    public ScenarioResult run() throws Exception {
        List<Integer> sizes = payloads == null ? List.of(common.payload()) : Payloads.sizes(payloads);
        return runMatrix(this, tiers("100,500,1000"), sizes,
                List.of(Encoding.of(common.wireFormat(), common.compression)));
    }

    /** Runs every tier × size × encoding; the scenario's result. */
    static ScenarioResult runMatrix(BaseScenario scenario, List<Integer> counts, List<Integer> sizes,
                                    List<Encoding> encodings) throws Exception {
        CommonOptions common = scenario.common;
        List<TierResult> tiers = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        WorkerPlan plan = scenario.workerPlan(counts);
        if (plan.distributed()) {
            try (WorkerRun run = WorkerRun.start(common, plan)) {
                for (int i = 0; i < counts.size(); i++) {
                    int n = counts.get(i);
                    WorkerRun.Connected connected = run.connect(n, ProcessSlice.INGEST);
                    for (int size : sizes) {
                        for (Encoding encoding : encodings) {
                            tiers.add(runTierOnWorkers(scenario, run, connected, size, encoding,
                                    common.rateOr(DEFAULT_RATE), n + " conns, " + size + " B " + encoding.label).build());
                            scenario.cooldown();
                        }
                    }
                    run.endTier(common.keepConnections && i < counts.size() - 1);
                }
                notes.add(run.note());
            }
        } else {
            runMatrixHere(scenario, counts, sizes, encodings, tiers);
        }
        if (!tiers.isEmpty() && tiers.getFirst().counter(Metric.SERVER_RECEIVED) < 0) {
            notes.add("the server's counters could not be read (no /metrics, no --api-key): loss is unknown");
        }
        return new ScenarioResult(scenario.name(), scenario.title(), scenario.measures(), scenario.closedLoop(),
                tiers, notes);
    }

    private static void runMatrixHere(BaseScenario scenario, List<Integer> counts, List<Integer> sizes,
                                      List<Encoding> encodings, List<TierResult> tiers) throws Exception {
        CommonOptions common = scenario.common;
        try (BenchClient client = new BenchClient(common.clientOptions())) {
            Fleet fleet = null;
            for (int i = 0; i < counts.size(); i++) {
                int n = counts.get(i);
                Ingest ingest = new Ingest();
                fleet = scenario.fleet(client, fleet, n, ingest);
                for (int size : sizes) {
                    for (Encoding encoding : encodings) {
                        TierFigures figures = runTier(scenario, fleet, ingest, size, encoding,
                                common.rateOr(DEFAULT_RATE), n + " conns, " + size + " B " + encoding.label);
                        tiers.add(figures.build());
                        ingest = new Ingest();
                        ingest.adopt(fleet);
                        scenario.cooldown();
                    }
                }
                scenario.endTier(fleet, i == counts.size() - 1);
            }
        }
    }

    /** One ingest tier on an open fleet. */
    static TierFigures runTier(BaseScenario scenario, Fleet fleet, Ingest ingest, int size, Encoding encoding,
                               double ratePerConnection, String label) {
        CommonOptions common = scenario.common;
        ServerProbe probe = common.probe();
        int n = Math.max(1, fleet.size());
        TierFigures figures = new TierFigures(label, n).parameter("payload_bytes", size)
                .parameter("encoding", encoding.label)
                .parameter("rate_per_connection", ratePerConnection == 0 ? "max" : ratePerConnection);
        connectFigures(figures, fleet);
        ByteBuf message = Payloads.encode(Envelope.of(TYPE, Payloads.filler(size)), encoding);
        figures.parameter("frame_bytes", message.readableBytes());
        try {
            List<BenchConnection> connections = snapshot(fleet);
            ServerCounts before = ServerCounts.read(probe);
            long protocolBefore = protocolFrames(fleet);
            TierMonitor monitor = new TierMonitor(probe, probe.sample(), fleet::active, ingest.sent::sum,
                    ingest.received::sum, ingest.errors::sum)
                .progress(common.progress(), scenario.name(), common.duration());
            long start = System.nanoTime() + 20_000_000;
            Pacer.Sender sender = (c, seq, intended) -> c.sendEncoded(message.retainedDuplicate(), encoding.text(), false);
            Pacer pacer = null;
            if (ratePerConnection > 0) {
                pacer = new Pacer(new RateShape.Constant(ratePerConnection * n), n, start, common.duration(),
                        common.lateThreshold);
                for (int slot = 0; slot < connections.size(); slot++) {
                    BenchConnection c = connections.get(slot);
                    c.attach(pacer.start(c, slot, (conn, seq, intended) -> {
                        sender.send(conn, seq, intended);
                        ingest.sent.increment();
                    }));
                }
            }
            List<Blaster> blasters = new ArrayList<>();
            if (pacer == null) {
                parkUntil(start);
                for (BenchConnection c : connections) {
                    Blaster blaster = new Blaster(c, sender, start + common.duration().toNanos(), ingest.sent);
                    c.attach(blaster);
                    blasters.add(blaster.start());
                }
            }
            long end = start + common.duration().toNanos();
            parkUntil(end);
            boolean stopped = pacer != null ? pacer.stopAndWait(STOP_TIMEOUT) : stopAll(blasters);
            if (!stopped) {
                figures.note("the senders did not all stop within " + STOP_TIMEOUT.toSeconds()
                        + " s: the client's event loops are overloaded, counts may be short");
            }
            long sentTotal = ingest.sent.sum();
            long protocol = protocolFrames(fleet) - protocolBefore;
            long expected = sentTotal + protocol;
            long[] finalNanos = {System.nanoTime()};
            ServerCounts[] after = {ServerCounts.read(probe)};
            if (before.known()) {
                awaitCondition(() -> {
                    after[0] = ServerCounts.read(probe);
                    finalNanos[0] = System.nanoTime();
                    return after[0].messagesIn() - before.messagesIn() >= expected;
                }, DRAIN_TIMEOUT);
            }
            figures.server(monitor.finish()).timeline(monitor.timeline());
            double seconds = common.duration().toNanos() / 1e9;
            double drainSeconds = Math.max(seconds, (finalNanos[0] - start) / 1e9);
            ServerCounts delta = after[0].minus(before);
            figures.seconds(seconds).counter(Metric.SENT, sentTotal).counter("protocol_frames", protocol);
            figures.counter(Metric.SERVER_RECEIVED, before.known() ? delta.messagesIn() : -1);
            figures.counter(Metric.LOST, before.known() ? Math.max(0, expected - delta.messagesIn()) : -1);
            figures.counter(Metric.LATE_SENDS, pacer == null ? 0 : pacer.lateSends() + pacer.unsent());
            figures.counter("unsent", pacer == null ? 0 : pacer.unsent());
            figures.counter(Metric.ERRORS, ingest.errors.sum());
            figures.counter(Metric.DROPPED_CONNECTIONS, ingest.dropped.sum());
            figures.rate(Metric.SENT_PER_S, sentTotal / seconds);
            if (before.known()) {
                figures.rate(Metric.SERVER_RECEIVED_PER_S, delta.messagesIn() / drainSeconds);
                figures.rate(Metric.MB_PER_S, delta.bytesIn() / drainSeconds / 1e6);
                if (drainSeconds > seconds * 1.05) {
                    figures.note(String.format(java.util.Locale.ROOT,
                            "the server took %.2f s to count what was sent in %.2f s", drainSeconds, seconds));
                }
            }
            return figures;
        } finally {
            message.release();
        }
    }

    /** One ingest tier on the workers' open connections, from one common start; the server counts what arrived. */
    static TierFigures runTierOnWorkers(BaseScenario scenario, WorkerRun run, WorkerRun.Connected connected, int size,
                                        Encoding encoding, double ratePerConnection, String label)
            throws InterruptedException {
        CommonOptions common = scenario.common;
        ServerProbe probe = common.probe();
        TierFigures figures = new TierFigures(label, Math.max(1, connected.size())).parameter("payload_bytes", size)
                .parameter("encoding", encoding.label)
                .parameter("rate_per_connection", ratePerConnection == 0 ? "max" : ratePerConnection);
        WorkerRun.connectFigures(figures, connected, run.workerCount());
        ByteBuf message = Payloads.encode(Envelope.of(TYPE, Payloads.filler(size)), encoding);
        figures.parameter("frame_bytes", message.readableBytes());
        message.release();
        ServerCounts before = ServerCounts.read(probe);
        TierMonitor monitor = new TierMonitor(probe, probe.sample(), () -> run.total().connections(),
                () -> run.total().sent(), () -> run.total().received(), () -> run.total().errors())
                .progress(common.progress(), scenario.name(), common.duration());
        long start = System.nanoTime() + WorkerRun.START_LEAD.toNanos();
        WorkerRun.Ran ran = run.ingest(size, encoding, ratePerConnection, common.duration());
        if (!ran.stopped()) {
            figures.note("the senders of a worker did not all stop within " + STOP_TIMEOUT.toSeconds()
                    + " s: its event loops are overloaded, counts may be short");
        }
        long sentTotal = ran.slice().counter(Metric.SENT);
        long protocol = ran.slice().counter("protocol_frames");
        long expected = sentTotal + protocol;
        long[] finalNanos = {System.nanoTime()};
        ServerCounts[] after = {ServerCounts.read(probe)};
        if (before.known()) {
            awaitCondition(() -> {
                after[0] = ServerCounts.read(probe);
                finalNanos[0] = System.nanoTime();
                return after[0].messagesIn() - before.messagesIn() >= expected;
            }, DRAIN_TIMEOUT);
        }
        figures.server(monitor.finish()).timeline(monitor.timeline());
        double seconds = common.duration().toNanos() / 1e9;
        double drainSeconds = Math.max(seconds, (finalNanos[0] - start) / 1e9);
        ServerCounts delta = after[0].minus(before);
        figures.seconds(seconds).counters(ran.slice().counters());
        figures.counter(Metric.SERVER_RECEIVED, before.known() ? delta.messagesIn() : -1);
        figures.counter(Metric.LOST, before.known() ? Math.max(0, expected - delta.messagesIn()) : -1);
        figures.rate(Metric.SENT_PER_S, sentTotal / seconds);
        if (before.known()) {
            figures.rate(Metric.SERVER_RECEIVED_PER_S, delta.messagesIn() / drainSeconds);
            figures.rate(Metric.MB_PER_S, delta.bytesIn() / drainSeconds / 1e6);
        }
        return figures;
    }

    /** Reads {@code value} until it stops changing between two polls (or the drain timeout passes). */
    static long awaitStable(java.util.function.LongSupplier value) {
        long[] last = {value.getAsLong()};
        awaitCondition(() -> {
            long now = value.getAsLong();
            boolean stable = now == last[0];
            last[0] = now;
            return stable;
        }, DRAIN_TIMEOUT);
        return last[0];
    }

    /** Stops every blaster and waits until none can send any more. */
    static boolean stopAll(List<Blaster> blasters) {
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        List<io.netty.util.concurrent.Future<?>> futures = new ArrayList<>();
        blasters.forEach(b -> futures.add(b.stop()));
        boolean all = true;
        for (io.netty.util.concurrent.Future<?> f : futures) {
            all &= f.awaitUninterruptibly(Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
        }
        return all;
    }

    static List<BenchConnection> snapshot(Fleet fleet) {
        synchronized (fleet.connections()) {
            return new ArrayList<>(fleet.connections());
        }
    }

    /** The per-connection work of an ingest tier: counts, resumes senders when writable, and counts errors. */
    static final class Ingest implements ConnectionListener {
        final LongAdder sent = new LongAdder();
        final LongAdder received = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder dropped = new LongAdder();

        void adopt(Fleet fleet) {
            synchronized (fleet.connections()) {
                for (BenchConnection c : fleet.connections()) {
                    c.listener(this);
                }
            }
        }

        @Override
        public void onMessage(BenchConnection connection, Envelope message, long receivedNanos) {
            received.increment();
            if (MessageTypes.ERROR.equals(message.type())) {
                errors.increment();
            }
        }

        @Override
        public void onWritable(BenchConnection connection) {
            Object a = connection.attachment();
            if (a instanceof Pacer.Stream stream) {
                stream.resume();
            } else if (a instanceof Blaster blaster) {
                blaster.resume();
            }
        }

        @Override
        public void onClosed(BenchConnection connection, int closeCode) {
            dropped.increment();
        }
    }
}
