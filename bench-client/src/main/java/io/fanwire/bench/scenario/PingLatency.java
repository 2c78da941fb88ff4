package io.fanwire.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import io.fanwire.bench.client.BenchClient;
import io.fanwire.bench.client.BenchConnection;
import io.fanwire.bench.client.ConnectionListener;
import io.fanwire.bench.load.Pacer;
import io.fanwire.bench.load.RateShape;
import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;
import io.fanwire.bench.stats.LatencyRecorder;
import io.fanwire.bench.stats.SliceStats;
import io.fanwire.common.protocol.ClientMessage;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.MessageTypes;
import io.fanwire.bench.worker.WorkerPlan;
import picocli.CommandLine.Command;

/**
 * {@code ping-latency}: every connection sends application {@code ping}s on a paced constant-arrival schedule
 * (all connections at once, phase-shifted) and times the {@code PONG}. The round trip is measured from the
 * intended send time, so a stalled server shows; the uncorrected figure (from the actual send) is beside it.
 */
@Command(name = "ping-latency", mixinStandardHelpOptions = true,
        description = "Application ping -> PONG round trip per tier, paced, corrected for coordinated omission.")
public final class PingLatency extends BaseScenario {

    static final double DEFAULT_RATE = 1.0;

    @picocli.CommandLine.Option(names = "--max-in-flight", paramLabel = "N", defaultValue = "1",
            description = "Pings per connection awaiting their PONG at most; a ping due while the window is full "
                    + "goes out late (wrk2's model; 0: no limit; default: ${DEFAULT-VALUE}).")
    int maxInFlight = 1;

    @Override
    public String name() {
        return "ping-latency";
    }

    @Override
    public String title() {
        return "Ping latency";
    }

    @Override
    public String measures() {
        return "Round trip of an application ping to its PONG, all connections sending concurrently at --rate per "
                + "connection on a constant-arrival schedule; rtt counts from the intended send time, "
                + "rtt_uncorrected from the actual send.";
    }

    @Override
    public boolean closedLoop() {
        return false;
    }

    @Override
    public boolean supportsWorkers() {
        return true;
    }

    @Override
    public ScenarioResult run() throws Exception {
        List<TierResult> tiers = new ArrayList<>();
        List<Integer> counts = tiers("100,500,1000");
        WorkerPlan plan = workerPlan(counts);
        if (plan.distributed()) {
            try (WorkerRun run = WorkerRun.start(common, plan)) {
                for (int i = 0; i < counts.size(); i++) {
                    int n = counts.get(i);
                    WorkerRun.Connected connected = run.connect(n, ProcessSlice.PING);
                    tiers.add(runTierOnWorkers(this, run, connected, common.rateOr(DEFAULT_RATE), maxInFlight,
                            n + " conns").figures().build());
                    run.endTier(common.keepConnections && i < counts.size() - 1);
                    cooldown();
                }
                return new ScenarioResult(name(), title(), measures(), closedLoop(), tiers, List.of(run.note()));
            }
        }
        try (BenchClient client = new BenchClient(common.clientOptions())) {
            Fleet fleet = null;
            for (int i = 0; i < counts.size(); i++) {
                int n = counts.get(i);
                Pings pings = new Pings();
                fleet = fleet(client, fleet, n, pings);
                tiers.add(runTier(this, fleet, pings, common.rateOr(DEFAULT_RATE), maxInFlight, n + " conns").build());
                endTier(fleet, i == counts.size() - 1);
                cooldown();
            }
        }
        return new ScenarioResult(name(), title(), measures(), closedLoop(), tiers, List.of());
    }

    /** Runs one paced ping tier on an open fleet whose listener is {@code pings}. */
    static TierFigures runTier(BaseScenario scenario, Fleet fleet, Pings pings, double ratePerConnection,
                               int maxInFlight, String label) {
        int n = Math.max(1, fleet.size());
        return runTier(scenario, fleet, pings, new RateShape.Constant(ratePerConnection * n), scenario.common.duration(),
                maxInFlight, label).parameter("rate_per_connection", ratePerConnection);
    }

    /** Runs one paced tier whose aggregate rate follows {@code shape} for {@code duration}. */
    static TierFigures runTier(BaseScenario scenario, Fleet fleet, Pings pings, RateShape shape,
                               java.time.Duration duration, int maxInFlight, String label) {
        CommonOptions common = scenario.common;
        ServerProbe probe = common.probe();
        int n = Math.max(1, fleet.size());
        TierFigures figures = new TierFigures(label, n).parameter("duration", duration)
                .parameter("max_in_flight", maxInFlight);
        connectFigures(figures, fleet);
        TierMonitor monitor = new TierMonitor(probe, probe.sample(), fleet::active, pings.sent::sum,
                pings.received::sum, pings.errors::sum)
                .progress(common.progress(), scenario.name(), duration);
        long start = System.nanoTime() + 20_000_000;
        ServerCounts serverBefore = ServerCounts.read(probe);
        Pacer pacer = new Pacer(shape, n, start, duration, common.lateThreshold, maxInFlight);
        List<BenchConnection> connections;
        synchronized (fleet.connections()) {
            connections = new ArrayList<>(fleet.connections());
        }
        for (int slot = 0; slot < connections.size(); slot++) {
            BenchConnection c = connections.get(slot);
            c.attach(pacer.start(c, slot, pings::send));
        }
        parkUntil(pacer.endNanos());
        if (!pacer.stopAndWait(STOP_TIMEOUT)) {
            figures.note("the senders did not all stop within " + STOP_TIMEOUT.toSeconds()
                    + " s: the client's event loops are overloaded, counts may be short");
        }
        awaitCondition(() -> pings.received.sum() + pings.errors.sum() >= pings.sent.sum(), DRAIN_TIMEOUT);
        figures.server(monitor.finish()).timeline(monitor.timeline());
        SliceStats slice = pings.slice(pacer);
        double seconds = duration.toNanos() / 1e9;
        figures.slice(slice).seconds(seconds);
        ServerCounts serverDelta = ServerCounts.read(probe).minus(serverBefore);
        if (serverDelta.known()) {
            figures.counter(Metric.SERVER_RECEIVED, serverDelta.messagesIn());
        }
        figures.rate(Metric.SENT_PER_S, slice.counter(Metric.SENT) / seconds);
        figures.rate(Metric.RECEIVED_PER_S, slice.counter(Metric.RECEIVED) / seconds);
        if (slice.counter(Metric.LATE_SENDS) > 0) {
            figures.note(slice.counter(Metric.LATE_SENDS) + " pings went out later than "
                    + common.lateThreshold.toMillis() + " ms after their intended time");
        }
        return figures;
    }

    /** A ping tier on workers: its figures, and the connections open when it opened and at its end. */
    record WorkerTier(TierFigures figures, int opened, int active) {
    }

    /**
     * One paced ping tier on the workers' open connections: every worker starts its share of the schedule at one
     * common instant; the coordinator samples the server and merges the workers' slices.
     */
    static WorkerTier runTierOnWorkers(BaseScenario scenario, WorkerRun run, WorkerRun.Connected connected,
                                       double ratePerConnection, int maxInFlight, String label) throws InterruptedException {
        CommonOptions common = scenario.common;
        ServerProbe probe = common.probe();
        java.time.Duration duration = common.duration();
        TierFigures figures = new TierFigures(label, Math.max(1, connected.size())).parameter("duration", duration)
                .parameter("max_in_flight", maxInFlight).parameter("rate_per_connection", ratePerConnection);
        WorkerRun.connectFigures(figures, connected, run.workerCount());
        TierMonitor monitor = new TierMonitor(probe, probe.sample(), () -> run.total().connections(),
                () -> run.total().sent(), () -> run.total().received(), () -> run.total().errors())
                .progress(common.progress(), scenario.name(), duration);
        ServerCounts serverBefore = ServerCounts.read(probe);
        WorkerRun.Ran ran = run.ping(ratePerConnection, maxInFlight, duration);
        if (!ran.stopped()) {
            figures.note("the senders of a worker did not all stop within " + STOP_TIMEOUT.toSeconds()
                    + " s: its event loops are overloaded, counts may be short");
        }
        figures.server(monitor.finish()).timeline(monitor.timeline());
        SliceStats slice = ran.slice();
        double seconds = duration.toNanos() / 1e9;
        figures.slice(slice).seconds(seconds);
        ServerCounts serverDelta = ServerCounts.read(probe).minus(serverBefore);
        if (serverDelta.known()) {
            figures.counter(Metric.SERVER_RECEIVED, serverDelta.messagesIn());
        }
        figures.rate(Metric.SENT_PER_S, slice.counter(Metric.SENT) / seconds);
        figures.rate(Metric.RECEIVED_PER_S, slice.counter(Metric.RECEIVED) / seconds);
        if (slice.counter(Metric.LATE_SENDS) > 0) {
            figures.note(slice.counter(Metric.LATE_SENDS) + " pings went out later than "
                    + common.lateThreshold.toMillis() + " ms after their intended time");
        }
        return new WorkerTier(figures, connected.size(), ran.active());
    }

    /**
     * The per-connection work of a ping tier: sends a ping whose {@code cid} carries its intended and actual
     * send times, and times the answer (a {@code PONG}, or the ping echoed by a raw echo server).
     */
    static final class Pings implements ConnectionListener {
        final LatencyRecorder rtt = new LatencyRecorder();
        final LatencyRecorder rttUncorrected = new LatencyRecorder();
        final LongAdder sent = new LongAdder();
        final LongAdder received = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder dropped = new LongAdder();
        private final java.util.function.Function<String, Envelope> message;

        /** Application pings. */
        Pings() {
            this(cid -> new ClientMessage.ClientPing(System.currentTimeMillis(), cid).toEnvelope());
        }

        /** The message {@code message} makes for a correlation id; the server must answer with that id. */
        Pings(java.util.function.Function<String, Envelope> message) {
            this.message = message;
        }

        void send(BenchConnection connection, long seq, long intendedNanos) {
            long now = System.nanoTime();
            String cid = Long.toHexString(intendedNanos) + ":" + Long.toHexString(now);
            connection.send(message.apply(cid), false);
            sent.increment();
        }

        @Override
        public void onMessage(BenchConnection connection, Envelope message, long receivedNanos) {
            String cid = message.correlationId();
            if (MessageTypes.ERROR.equals(message.type())) {
                errors.increment();
                return;
            }
            int colon = cid == null ? -1 : cid.indexOf(':');
            if (colon <= 0) {
                return;
            }
            long intended;
            long actual;
            try {
                intended = Long.parseUnsignedLong(cid, 0, colon, 16);
                actual = Long.parseUnsignedLong(cid, colon + 1, cid.length(), 16);
            } catch (NumberFormatException e) {
                errors.increment();
                return;
            }
            received.increment();
            rtt.recordNanos(receivedNanos - intended);
            rttUncorrected.recordNanos(receivedNanos - actual);
            if (connection.attachment() instanceof Pacer.Stream stream) {
                stream.answered();
            }
        }

        @Override
        public void onWritable(BenchConnection connection) {
            if (connection.attachment() instanceof Pacer.Stream stream) {
                stream.resume();
            }
        }

        @Override
        public void onClosed(BenchConnection connection, int closeCode) {
            dropped.increment();
        }

        SliceStats slice(Pacer pacer) {
            long s = sent.sum();
            long r = received.sum();
            java.util.Map<String, Long> counters = new java.util.LinkedHashMap<>();
            counters.put("scheduled", pacer.scheduled());
            counters.put(Metric.SENT, s);
            counters.put(Metric.RECEIVED, r);
            counters.put(Metric.LOST, Math.max(0, s - r));
            counters.put(Metric.LATE_SENDS, pacer.lateSends() + pacer.unsent());
            counters.put("unsent", pacer.unsent());
            counters.put(Metric.ERRORS, errors.sum());
            counters.put(Metric.DROPPED_CONNECTIONS, dropped.sum());
            java.util.Map<String, org.HdrHistogram.Histogram> histograms = new java.util.LinkedHashMap<>();
            histograms.put(Metric.RTT, rtt.total());
            histograms.put(Metric.RTT_UNCORRECTED, rttUncorrected.total());
            return new SliceStats(counters, histograms);
        }
    }
}
