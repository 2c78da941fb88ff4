package io.fanwire.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.bench.client.BenchClient;
import io.fanwire.bench.client.BenchConnection;
import io.fanwire.bench.client.ConnectionListener;
import io.fanwire.bench.load.Blaster;
import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;
import io.fanwire.bench.stats.LatencyRecorder;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.MessageTypes;
import io.netty.buffer.ByteBuf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code echo}: PyStrands' three modes against a server running the {@code echo} app. {@code pingpong}: each
 * connection sends an {@code echo} and waits for it before sending the next (closed loop: latency from the
 * actual send, not corrected). {@code echo}: sends on a paced schedule while answers arrive concurrently
 * (open loop: latency from the intended send). {@code blast}: fire-and-forget messages the app does not answer,
 * as fast as connections take them; the server's count is the figure. Every mode reports sent, received (or
 * server-counted) and loss.
 */
@Command(name = "echo", mixinStandardHelpOptions = true,
        description = "PyStrands' modes against --app echo: pingpong (closed loop), echo (paced async), blast (fire-and-forget).")
public final class Echo extends BaseScenario {

    static final String TYPE = "echo";
    static final String BLAST_TYPE = "blast";
    static final double DEFAULT_RATE = 100;

    @Option(names = "--mode", paramLabel = "MODES", defaultValue = "pingpong",
            description = "pingpong, echo or blast, or several: pingpong,echo,blast (default: ${DEFAULT-VALUE}).")
    String modes = "pingpong";

    private String mode = "pingpong";

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public String title() {
        return "Echo (" + mode + ")";
    }

    @Override
    public String measures() {
        return switch (mode) {
            case "pingpong" -> "Strict request-response: each connection sends an echo and waits for it before the next; "
                    + "messages per second both ways and the round trip from the actual send (closed loop: not corrected).";
            case "echo" -> "Async echo: each connection sends on a paced schedule at --rate while replies arrive "
                    + "concurrently; rtt from the intended send time, rtt_uncorrected from the actual send.";
            default -> "Fire-and-forget: messages the echo app does not answer, as fast as each connection takes them; "
                    + "the server's own count is the figure, lost = sent - server-counted.";
        };
    }

    @Override
    public boolean closedLoop() {
        return mode.equals("pingpong");
    }

    @Override
    public List<ScenarioResult> runAll() throws Exception {
        List<ScenarioResult> results = new ArrayList<>();
        for (String m : modes.split(",")) {
            mode = m.trim().toLowerCase(Locale.ROOT);
            if (!List.of("pingpong", "echo", "blast").contains(mode)) {
                throw new IllegalArgumentException("mode: " + m + " (expected: pingpong, echo or blast)");
            }
            results.add(run());
        }
        return results;
    }

    @Override
    public ScenarioResult run() throws Exception {
        List<TierResult> tiers = new ArrayList<>();
        List<Integer> counts = tiers("100,1000");
        ObjectNode payload = Payloads.filler(common.payload());
        try (BenchClient client = new BenchClient(common.clientOptions())) {
            Fleet fleet = null;
            for (int i = 0; i < counts.size(); i++) {
                int n = counts.get(i);
                String label = n + " conns, " + common.payload() + " B";
                TierFigures figures;
                switch (mode) {
                    case "pingpong" -> {
                        PingPong work = new PingPong(payload);
                        fleet = fleet(client, fleet, n, work);
                        figures = pingPongTier(fleet, work, label);
                    }
                    case "echo" -> {
                        PingLatency.Pings work = new PingLatency.Pings(
                                cid -> Envelope.of(TYPE, payload).withCorrelationId(cid));
                        fleet = fleet(client, fleet, n, work);
                        figures = PingLatency.runTier(this, fleet, work, common.rateOr(DEFAULT_RATE), 0, label);
                    }
                    default -> {
                        Throughput.Ingest work = new Throughput.Ingest();
                        fleet = fleet(client, fleet, n, work);
                        figures = blastTier(fleet, work, label);
                    }
                }
                tiers.add(figures.parameter("mode", mode).parameter("payload_bytes", common.payload()).build());
                endTier(fleet, i == counts.size() - 1);
                cooldown();
            }
        }
        return new ScenarioResult(name(), title(), measures(), closedLoop(), tiers, List.of());
    }

    private TierFigures pingPongTier(Fleet fleet, PingPong work, String label) {
        ServerProbe probe = common.probe();
        int n = Math.max(1, fleet.size());
        TierFigures figures = new TierFigures(label, n);
        connectFigures(figures, fleet);
        ServerCounts before = ServerCounts.read(probe);
        TierMonitor monitor = new TierMonitor(probe, probe.sample(), fleet::active, work.sent::sum,
                work.received::sum, work.errors::sum)
                .progress(common.progress(), name(), common.duration());
        long start = System.nanoTime();
        long end = start + common.duration().toNanos();
        work.endNanos = end;
        for (BenchConnection c : Throughput.snapshot(fleet)) {
            c.eventLoop().execute(() -> work.sendNext(c));
        }
        parkUntil(end);
        awaitCondition(() -> work.received.sum() + work.errors.sum() >= work.sent.sum(), DRAIN_TIMEOUT);
        figures.server(monitor.finish()).timeline(monitor.timeline());
        double seconds = common.duration().toNanos() / 1e9;
        long sent = work.sent.sum();
        long received = work.received.sum();
        ServerCounts delta = ServerCounts.read(probe).minus(before);
        figures.seconds(seconds).slice(work.slice()).counter(Metric.SERVER_RECEIVED, delta.messagesIn())
                .rate(Metric.SENT_PER_S, sent / seconds).rate(Metric.RECEIVED_PER_S, received / seconds)
                .note("closed loop: each connection waits for its echo, so latency is from the actual send");
        return figures;
    }

    private TierFigures blastTier(Fleet fleet, Throughput.Ingest work, String label) {
        ByteBuf message = Payloads.encode(Envelope.of(BLAST_TYPE, Payloads.filler(common.payload())),
                Payloads.Encoding.of(common.wireFormat(), common.compression));
        boolean text = Payloads.Encoding.of(common.wireFormat(), common.compression).text();
        try {
            ServerProbe probe = common.probe();
            int n = Math.max(1, fleet.size());
            TierFigures figures = new TierFigures(label, n);
            connectFigures(figures, fleet);
            ServerCounts before = ServerCounts.read(probe);
            long protocolBefore = protocolFrames(fleet);
            TierMonitor monitor = new TierMonitor(probe, probe.sample(), fleet::active, work.sent::sum,
                    work.received::sum, work.errors::sum)
                .progress(common.progress(), name(), common.duration());
            long end = System.nanoTime() + common.duration().toNanos();
            List<Blaster> blasters = new ArrayList<>();
            for (BenchConnection c : Throughput.snapshot(fleet)) {
                Blaster b = new Blaster(c, (conn, seq, t) -> conn.sendEncoded(message.retainedDuplicate(), text, false),
                        end, work.sent);
                c.attach(b);
                blasters.add(b.start());
            }
            parkUntil(end);
            Throughput.stopAll(blasters);
            long sent = work.sent.sum();
            long expected = sent + protocolFrames(fleet) - protocolBefore;
            ServerCounts[] after = {ServerCounts.read(probe)};
            long[] countedNanos = {System.nanoTime()};
            if (before.known()) {
                awaitCondition(() -> {
                    after[0] = ServerCounts.read(probe);
                    countedNanos[0] = System.nanoTime();
                    return after[0].messagesIn() - before.messagesIn() >= expected;
                }, DRAIN_TIMEOUT);
            }
            figures.server(monitor.finish()).timeline(monitor.timeline());
            double seconds = common.duration().toNanos() / 1e9;
            ServerCounts delta = after[0].minus(before);
            figures.seconds(seconds).counter(Metric.SENT, sent).counter(Metric.SERVER_RECEIVED, delta.messagesIn())
                    .counter(Metric.LOST, before.known() ? Math.max(0, expected - delta.messagesIn()) : -1)
                    .counter(Metric.ERRORS, work.errors.sum()).counter(Metric.DROPPED_CONNECTIONS, work.dropped.sum())
                    .rate(Metric.SENT_PER_S, sent / seconds);
            if (before.known()) {
                // Over the time the server took to count it all, which may outlast the sending.
                double countedSeconds = Math.max(seconds, (countedNanos[0] - (end - common.duration().toNanos())) / 1e9);
                figures.rate(Metric.SERVER_RECEIVED_PER_S, delta.messagesIn() / countedSeconds);
            }
            return figures;
        } finally {
            message.release();
        }
    }

    /** Closed-loop work: the next echo goes out when the previous one came back, until the end. */
    static final class PingPong implements ConnectionListener {
        final LatencyRecorder rtt = new LatencyRecorder();
        final LongAdder sent = new LongAdder();
        final LongAdder received = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder dropped = new LongAdder();
        private final ObjectNode payload;
        volatile long endNanos;

        PingPong(ObjectNode payload) {
            this.payload = payload;
        }

        void sendNext(BenchConnection c) {
            long now = System.nanoTime();
            if (now - endNanos >= 0 || !c.isActive()) {
                return;
            }
            c.send(Envelope.of(TYPE, payload).withCorrelationId(Long.toHexString(now)), true);
            sent.increment();
        }

        @Override
        public void onMessage(BenchConnection connection, Envelope message, long receivedNanos) {
            if (MessageTypes.ERROR.equals(message.type())) {
                errors.increment();
                sendNext(connection);
                return;
            }
            String cid = message.correlationId();
            if (!TYPE.equals(message.type()) || cid == null) {
                return;
            }
            try {
                rtt.recordNanos(receivedNanos - Long.parseUnsignedLong(cid, 16));
            } catch (NumberFormatException e) {
                errors.increment();
                return;
            }
            received.increment();
            sendNext(connection);
        }

        @Override
        public void onClosed(BenchConnection connection, int closeCode) {
            dropped.increment();
        }

        /** What this work measured, mergeable with other slices of the tier. */
        io.fanwire.bench.stats.SliceStats slice() {
            java.util.Map<String, Long> counters = new java.util.LinkedHashMap<>();
            long s = sent.sum();
            long r = received.sum();
            counters.put(Metric.SENT, s);
            counters.put(Metric.RECEIVED, r);
            counters.put(Metric.LOST, Math.max(0, s - r));
            counters.put(Metric.ERRORS, errors.sum());
            counters.put(Metric.DROPPED_CONNECTIONS, dropped.sum());
            return new io.fanwire.bench.stats.SliceStats(counters, java.util.Map.of(Metric.RTT_UNCORRECTED, rtt.total()));
        }
    }
}
