package io.fanwire.bench.scenario;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.bench.client.BenchClient;
import io.fanwire.bench.client.BenchConnection;
import io.fanwire.bench.client.ConnectionListener;
import io.fanwire.bench.load.Pacer;
import io.fanwire.bench.load.RateShape;
import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;
import io.fanwire.bench.stats.LatencyRecorder;
import io.fanwire.bench.stats.WallClock;
import io.fanwire.common.protocol.ClientMessage;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.MessageTypes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fanout}: N subscribers on one topic and a paced publisher, through the HTTP API ({@code /api/publish}
 * with the API key) or a WebSocket connection ({@code publish}). Each publication carries its intended and
 * actual publish times; subscribers time the delivery from them, and check the {@code tp/e/o} stamp for gaps,
 * duplicates and reorders. Beside the deliveries the subscribers counted stand the server's own deliveries and
 * slow-consumer drops from {@code /metrics}.
 */
@Command(name = "fanout", mixinStandardHelpOptions = true,
        description = "N subscribers, a paced publisher (HTTP API or WebSocket): publish-to-deliver latency, deliveries/s, gaps.")
public final class Fanout extends BaseScenario {

    static final String TYPE = "bench_pub";

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "bench.fanout",
            description = "Topic prefix; each tier uses a fresh topic under it (default: ${DEFAULT-VALUE}).")
    String topic = "bench.fanout";

    @Option(names = "--publisher", paramLabel = "http|ws", defaultValue = "http",
            description = "Publish through POST /api/publish (needs --api-key) or a WebSocket connection (default: ${DEFAULT-VALUE}).")
    String publisher = "http";

    @Option(names = "--publish-rate", paramLabel = "PUB/S", defaultValue = "10",
            description = "Publications per second (default: ${DEFAULT-VALUE}).")
    double publishRate = 10;

    @Override
    public String name() {
        return "fanout";
    }

    @Override
    public String title() {
        return "Fan-out";
    }

    @Override
    public String measures() {
        return "A paced publisher (" + publisher + ") at --publish-rate to N subscribers of one topic: delivery latency "
                + "from the intended publish time (delivery) and the actual one (delivery_uncorrected), deliveries per "
                + "second, and lost, gaps, duplicates and reorders from the tp/e/o stamp; server-counted deliveries "
                + "and slow-consumer drops beside them.";
    }

    @Override
    public boolean closedLoop() {
        return false;
    }

    @Override
    public ScenarioResult run() throws Exception {
        String mode = publisher.toLowerCase(Locale.ROOT);
        if (!mode.equals("http") && !mode.equals("ws")) {
            throw new IllegalArgumentException("publisher: " + publisher + " (expected: http or ws)");
        }
        if (mode.equals("http") && !common.probe().hasApiKey()) {
            throw new IllegalArgumentException("--publisher http needs --api-key");
        }
        List<TierResult> tiers = new ArrayList<>();
        List<Integer> counts = tiers("100,1000");
        try (BenchClient client = new BenchClient(common.clientOptions())) {
            Fleet fleet = null;
            for (int i = 0; i < counts.size(); i++) {
                int n = counts.get(i);
                String tierTopic = topic + "." + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16) + "." + n;
                Subscribers subscribers = new Subscribers(tierTopic);
                fleet = fleet(client, fleet, n, subscribers);
                tiers.add(runTier(client, fleet, subscribers, mode, n).build());
                endTier(fleet, i == counts.size() - 1);
                cooldown();
            }
        }
        return new ScenarioResult(name(), title(), measures(), closedLoop(), tiers, List.of());
    }

    private TierFigures runTier(BenchClient client, Fleet fleet, Subscribers subscribers, String mode, int n)
            throws InterruptedException {
        ServerProbe probe = common.probe();
        List<BenchConnection> connections = Throughput.snapshot(fleet);
        TierFigures figures = new TierFigures(n + " subscribers, " + common.payload() + " B", connections.size())
                .parameter("publisher", mode).parameter("publish_rate", publishRate)
                .parameter("payload_bytes", common.payload()).parameter("topic", subscribers.topic);
        connectFigures(figures, fleet);
        for (BenchConnection c : connections) {
            c.attach(new Cursor());
            c.send(new ClientMessage.Subscription(ClientMessage.Action.SUBSCRIBE, List.of(subscribers.topic), null,
                    null, false, Map.of(), "sub").toEnvelope(), true);
        }
        if (!awaitCondition(() -> subscribers.subscribed.sum() + subscribers.refused.sum() >= connections.size(),
                DRAIN_TIMEOUT)) {
            figures.note("only " + subscribers.subscribed.sum() + " of " + connections.size() + " subscriptions answered");
        }
        long subscribed = subscribers.subscribed.sum();
        ServerCounts before = ServerCounts.read(probe);
        TierMonitor monitor = new TierMonitor(probe, probe.sample(), fleet::active, subscribers.published::sum,
                subscribers.deliveries::sum, subscribers.errors::sum)
                .progress(common.progress(), name(), common.duration());
        String pad = Payloads.letters(common.payload());
        long start = System.nanoTime() + 50_000_000;
        long seconds = common.duration().toNanos();
        long lateSends;
        if (mode.equals("http")) {
            lateSends = publishOverHttp(probe, subscribers, pad, start, start + seconds);
        } else {
            lateSends = publishOverWebSocket(client, subscribers, pad, start, figures);
        }
        long accepted = subscribers.accepted.sum();
        // The server's count of publications is the truth when it can be read (a publish request that timed
        // out may still have been published).
        ServerCounts published = ServerCounts.read(probe).minus(before);
        long publications = published.publications() >= 0 ? published.publications() : accepted;
        long expected = publications * subscribed;
        awaitCondition(() -> subscribers.deliveries.sum() >= expected, DRAIN_TIMEOUT);
        Throughput.awaitStable(subscribers.deliveries::sum);
        ServerCounts delta = ServerCounts.read(probe).minus(before);
        figures.server(monitor.finish()).timeline(monitor.timeline());
        double secs = seconds / 1e9;
        long received = subscribers.deliveries.sum();
        figures.seconds(secs).counter("subscribed", subscribed).counter(Metric.SENT, subscribers.published.sum())
                .counter("accepted", accepted).counter("server_publications", published.publications())
                .counter(Metric.LATE_SENDS, lateSends)
                .counter(Metric.HTTP_ERRORS, subscribers.publishErrors.sum())
                .counter("expected_deliveries", expected).slice(subscribers.slice())
                .counter(Metric.LOST, Math.max(0, expected - received))
                .counter(Metric.SERVER_DELIVERED, delta.deliveries()).counter(Metric.SERVER_SLOW_DROPS, delta.slowDrops())
                .rate(Metric.SENT_PER_S, subscribers.published.sum() / secs)
                .rate(Metric.DELIVERIES_PER_S, received / secs);
        if (mode.equals("http")) {
            figures.latency(Metric.HTTP_LATENCY, subscribers.publishLatency.total());
        }
        if (subscribers.refused.sum() > 0) {
            figures.note(subscribers.refused.sum() + " subscriptions were refused");
        }
        return figures;
    }

    private static byte[] data(long seq, long intendedNanos, String pad) {
        return ("{\"k\":" + seq + ",\"t0\":" + WallClock.epochMicros(intendedNanos) + ",\"ta\":" + WallClock.nowMicros()
                + ",\"d\":\"" + pad + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** Publishes through the HTTP API from this thread, paced; returns the late sends. */
    private long publishOverHttp(ServerProbe probe, Subscribers subscribers, String pad, long start, long end) {
        long late = 0;
        List<java.util.concurrent.CompletableFuture<Integer>> pending = new ArrayList<>();
        for (long k = 0, intended = start; intended < end; k++, intended = start + (long) (k * 1e9 / publishRate)) {
            parkUntil(intended);
            if (System.nanoTime() - intended > common.lateThreshold.toNanos()) {
                late++;
            }
            long sentAt = intended;
            subscribers.published.increment();
            pending.add(probe.publish(subscribers.topic, TYPE, data(k, intended, pad)).whenComplete((status, error) -> {
                subscribers.publishLatency.recordNanos(System.nanoTime() - sentAt);
                if (error == null && status == 200) {
                    subscribers.accepted.increment();
                } else {
                    subscribers.publishErrors.increment();
                }
            }));
        }
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        for (var f : pending) {
            try {
                f.get(Math.max(1, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // counted as a publish error by the callback, or left unanswered
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return late;
    }

    /** Publishes from one extra WebSocket connection, paced on its event loop; returns the late sends. */
    private long publishOverWebSocket(BenchClient client, Subscribers subscribers, String pad, long start,
                                      TierFigures figures) throws InterruptedException {
        Fleet publisherFleet = new Fleet();
        ConnectionListener acks = new ConnectionListener() {
            @Override
            public void onMessage(BenchConnection connection, Envelope message, long receivedNanos) {
                if (MessageTypes.PUBLISH_ACK.equals(message.type())) {
                    subscribers.accepted.increment();
                } else if (MessageTypes.ERROR.equals(message.type())) {
                    subscribers.publishErrors.increment();
                }
            }

            @Override
            public void onWritable(BenchConnection connection) {
                if (connection.attachment() instanceof Pacer.Stream stream) {
                    stream.resume();
                }
            }
        };
        publisherFleet.open(client, 1_000_000_000, 1, acks, 1, 0, common.connectTimeout);
        if (publisherFleet.size() != 1) {
            figures.note("the publisher could not connect: " + publisherFleet.counters().snapshot());
            return 0;
        }
        BenchConnection c = publisherFleet.connections().getFirst();
        Pacer pacer = new Pacer(new RateShape.Constant(publishRate), 1, start, common.duration(), common.lateThreshold);
        c.attach(pacer.start(c, 0, (conn, seq, intended) -> {
            ObjectNode data;
            try {
                data = (ObjectNode) JSON.readTree(data(seq, intended, pad));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            conn.send(new ClientMessage.Publish(subscribers.topic, TYPE, data, Long.toString(seq)).toEnvelope(), false);
            subscribers.published.increment();
        }));
        parkUntil(pacer.endNanos());
        pacer.stopAndWait(STOP_TIMEOUT);
        awaitCondition(() -> subscribers.accepted.sum() + subscribers.publishErrors.sum() >= subscribers.published.sum(),
                DRAIN_TIMEOUT);
        publisherFleet.closeAll(CLOSE_TIMEOUT);
        return pacer.lateSends() + pacer.unsent();
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** A subscriber's position in the topic's stream. */
    static final class Cursor {
        String epoch;
        long last = -1;
        final BitSet seen = new BitSet();
    }

    /** The subscribers' work: counts, times and checks every publication of the tier's topic. */
    static final class Subscribers implements ConnectionListener {
        final String topic;
        final LongAdder subscribed = new LongAdder();
        final LongAdder refused = new LongAdder();
        final LongAdder published = new LongAdder();
        final LongAdder accepted = new LongAdder();
        final LongAdder publishErrors = new LongAdder();
        final LongAdder deliveries = new LongAdder();
        final LongAdder gaps = new LongAdder();
        final LongAdder duplicates = new LongAdder();
        final LongAdder reorders = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder dropped = new LongAdder();
        final LatencyRecorder delivery = new LatencyRecorder();
        final LatencyRecorder deliveryUncorrected = new LatencyRecorder();
        final LatencyRecorder publishLatency = new LatencyRecorder();

        Subscribers(String topic) {
            this.topic = topic;
        }

        @Override
        public void onMessage(BenchConnection connection, Envelope message, long receivedNanos) {
            if (message.stamped()) {
                if (topic.equals(message.topic())) {
                    onPublication(connection, message, receivedNanos);
                }
                return;
            }
            switch (message.type()) {
                case MessageTypes.SUBSCRIPTION_UPDATE -> onSubscribed(connection, message);
                case MessageTypes.ERROR -> errors.increment();
                default -> {
                    // presence and other messages are not part of the measurement
                }
            }
        }

        private void onSubscribed(BenchConnection connection, Envelope message) {
            JsonNode ok = message.payload().path("success_topics");
            boolean success = false;
            for (JsonNode t : ok) {
                success |= topic.equals(t.asText());
            }
            if (!success) {
                refused.increment();
                return;
            }
            if (connection.attachment() instanceof Cursor cursor && cursor.epoch == null) {
                JsonNode position = message.payload().path("recovery").path(topic);
                if (position.has("epoch")) {
                    cursor.epoch = position.path("epoch").asText();
                    cursor.last = position.path("offset").asLong();
                }
            }
            subscribed.increment();
        }

        private void onPublication(BenchConnection connection, Envelope message, long receivedNanos) {
            deliveries.increment();
            long now = WallClock.epochMicros(receivedNanos);
            JsonNode p = message.payload();
            long t0 = p.path("t0").asLong(-1);
            long ta = p.path("ta").asLong(-1);
            if (t0 > 0) {
                delivery.recordNanos((now - t0) * 1000);
            }
            if (ta > 0) {
                deliveryUncorrected.recordNanos((now - ta) * 1000);
            }
            if (!(connection.attachment() instanceof Cursor cursor)) {
                return;
            }
            long o = message.offset();
            if (cursor.epoch == null || !cursor.epoch.equals(message.epoch())) {
                cursor.epoch = message.epoch();
                cursor.last = o - 1;
                cursor.seen.clear();
            }
            if (o == cursor.last + 1) {
                cursor.last = o;
            } else if (o > cursor.last + 1) {
                gaps.add(o - cursor.last - 1);
                cursor.last = o;
            } else if (o >= 0 && o < Integer.MAX_VALUE && cursor.seen.get((int) o)) {
                duplicates.increment();
            } else {
                reorders.increment();
            }
            if (o >= 0 && o < Integer.MAX_VALUE) {
                cursor.seen.set((int) o);
            }
        }

        @Override
        public void onClosed(BenchConnection connection, int closeCode) {
            dropped.increment();
        }

        /** What the subscribers measured, mergeable with other slices of the tier (expected counts are the run's). */
        io.fanwire.bench.stats.SliceStats slice() {
            Map<String, Long> counters = new java.util.LinkedHashMap<>();
            counters.put(Metric.RECEIVED, deliveries.sum());
            counters.put(Metric.GAPS, gaps.sum());
            counters.put(Metric.DUPLICATES, duplicates.sum());
            counters.put(Metric.REORDERS, reorders.sum());
            counters.put(Metric.ERRORS, errors.sum());
            counters.put(Metric.DROPPED_CONNECTIONS, dropped.sum());
            Map<String, org.HdrHistogram.Histogram> histograms = new java.util.LinkedHashMap<>();
            histograms.put(Metric.DELIVERY, delivery.total());
            histograms.put(Metric.DELIVERY_UNCORRECTED, deliveryUncorrected.total());
            return new io.fanwire.bench.stats.SliceStats(counters, histograms);
        }
    }
}
