package io.fanwire.bench.scenario;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.bench.client.BenchClient;
import io.fanwire.bench.client.BenchConnection;
import io.fanwire.bench.client.ClientOptions;
import io.fanwire.bench.client.ConnectionListener;
import io.fanwire.bench.load.Blaster;
import io.fanwire.bench.load.Pacer;
import io.fanwire.bench.load.RateShape;
import io.fanwire.bench.report.Metric;
import io.fanwire.bench.scenario.Payloads.Encoding;
import io.fanwire.bench.stats.SliceStats;
import io.fanwire.bench.stats.WallClock;
import io.fanwire.bench.worker.SliceCodec;
import io.fanwire.bench.worker.WorkerTask;
import io.fanwire.common.protocol.Envelope;
import io.netty.buffer.ByteBuf;

/**
 * A worker process's share of a run: its connections and the per-connection work of the scenarios that run on
 * workers ({@link WorkerRun} is the coordinator's side). Commands:
 * <ul>
 *   <li>{@code connect}: hold {@code count} connections (top up a kept fleet, or open a new one) with indexes from
 *       {@code fromIndex}, starting at {@code startAtMicros}; answers the connect counts and handshake histogram;</li>
 *   <li>{@code ping}: paced application pings at {@code rate} per connection for {@code durationNanos} from
 *       {@code startAtMicros}; answers the ping slice and the connections still open;</li>
 *   <li>{@code ingest}: {@code throughput}'s sends, paced or (rate 0) as fast as each connection takes;</li>
 *   <li>{@code end-tier}: close the connections unless {@code keep}.</li>
 * </ul>
 */
final class ProcessSlice implements WorkerTask {

    static final String CONNECT = "connect";
    static final String PING = "ping";
    static final String INGEST = "ingest";
    static final String END_TIER = "end-tier";

    private final CommonOptions common;
    private final BenchClient client;
    private final Fleet fleet = new Fleet();
    private volatile ConnectionListener listener = ConnectionListener.IGNORE;

    private ProcessSlice(CommonOptions common, List<InetAddress> sourceAddresses) {
        this.common = common;
        ClientOptions options = common.clientOptions();
        this.client = new BenchClient(new ClientOptions(options.url(), options.carrier(), options.tokens(),
                options.format(), options.compression(), options.raw(), sourceAddresses, options.connectTimeout(),
                options.maxFrameBytes(), options.ioThreads()));
    }

    /** The task a {@code configure} command describes: {@code args} (common options) and {@code sourceAddresses}. */
    static ProcessSlice configure(JsonNode command) {
        List<String> args = new ArrayList<>();
        command.path("args").forEach(a -> args.add(a.asText()));
        List<InetAddress> addresses = new ArrayList<>();
        for (JsonNode a : command.path("sourceAddresses")) {
            try {
                addresses.add(InetAddress.getByName(a.asText()));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("sourceAddresses: " + a.asText() + " (" + e.getMessage() + ")", e);
            }
        }
        return new ProcessSlice(CommonOptions.parseWorkerArgs(args), addresses);
    }

    @Override
    public ObjectNode handle(String op, JsonNode command) throws Exception {
        return switch (op) {
            case CONNECT -> connect(command);
            case PING -> ping(command);
            case INGEST -> ingest(command);
            case END_TIER -> {
                if (!command.path("keep").asBoolean()) {
                    fleet.closeAll(BaseScenario.CLOSE_TIMEOUT);
                }
                yield object();
            }
            default -> throw new IllegalArgumentException("op: " + op + " (expected: connect, ping, ingest or end-tier)");
        };
    }

    private ObjectNode connect(JsonNode command) throws InterruptedException {
        int count = command.path("count").asInt();
        listener = switch (command.path("listener").asText("none")) {
            case PING -> new PingLatency.Pings();
            case INGEST -> new Throughput.Ingest();
            default -> ConnectionListener.IGNORE;
        };
        fleet.resetMeasurements();
        if (fleet.size() > count) {
            fleet.trimTo(count, BaseScenario.CLOSE_TIMEOUT);
        }
        synchronized (fleet.connections()) {
            for (BenchConnection c : fleet.connections()) {
                c.listener(listener);
            }
        }
        BaseScenario.parkUntil(nanosAt(command.path("startAtMicros").asLong()));
        int missing = count - fleet.size();
        long openedNanos = 0;
        if (missing > 0) {
            fleet.open(client, command.path("fromIndex").asInt(), missing, listener, command.path("batchSize").asInt(),
                    command.path("rampRate").asDouble(), common.connectTimeout.plusSeconds(5));
            openedNanos = (long) (fleet.openedSeconds() * 1e9);
        }
        Map<String, Long> counters = fleet.counters().snapshot();
        Map<String, Histogram> histograms = new LinkedHashMap<>();
        histograms.put(Metric.HANDSHAKE, fleet.handshakes().total());
        ObjectNode reply = object().put("size", fleet.size()).put("openedNanos", openedNanos);
        reply.set("slice", SliceCodec.encode(new SliceStats(counters, histograms)));
        return reply;
    }

    private ObjectNode ping(JsonNode command) {
        if (!(listener instanceof PingLatency.Pings pings)) {
            throw new IllegalStateException("ping: the connections were not opened for pings");
        }
        ObjectNode reply = object();
        List<BenchConnection> connections = Throughput.snapshot(fleet);
        if (connections.isEmpty()) {
            reply.set("slice", SliceCodec.encode(SliceStats.empty()));
            return reply.put("active", 0).put("stopped", true);
        }
        int n = connections.size();
        Duration duration = Duration.ofNanos(command.path("durationNanos").asLong());
        double rate = command.path("rate").asDouble();
        long start = nanosAt(command.path("startAtMicros").asLong());
        Pacer pacer = new Pacer(new RateShape.Constant(rate * n), n, start, duration, common.lateThreshold,
                command.path("maxInFlight").asInt());
        for (int slot = 0; slot < n; slot++) {
            BenchConnection c = connections.get(slot);
            c.attach(pacer.start(c, slot, pings::send));
        }
        BaseScenario.parkUntil(pacer.endNanos());
        boolean stopped = pacer.stopAndWait(BaseScenario.STOP_TIMEOUT);
        BaseScenario.awaitCondition(() -> pings.received.sum() + pings.errors.sum() >= pings.sent.sum(),
                BaseScenario.DRAIN_TIMEOUT);
        reply.set("slice", SliceCodec.encode(pings.slice(pacer)));
        return reply.put("active", fleet.active()).put("stopped", stopped);
    }

    private ObjectNode ingest(JsonNode command) {
        if (!(listener instanceof Throughput.Ingest ingest)) {
            throw new IllegalStateException("ingest: the connections were not opened for ingest");
        }
        // Each run of a kept fleet counts afresh.
        Throughput.Ingest fresh = new Throughput.Ingest();
        fresh.adopt(fleet);
        listener = fresh;
        List<BenchConnection> connections = Throughput.snapshot(fleet);
        ObjectNode reply = object();
        int n = connections.size();
        long protocolBefore = BaseScenario.protocolFrames(fleet);
        Encoding encoding = Encoding.parse(command.path("encoding").asText());
        ByteBuf message = Payloads.encode(Envelope.of(Throughput.TYPE, Payloads.filler(command.path("payloadBytes").asInt())),
                encoding);
        try {
            Duration duration = Duration.ofNanos(command.path("durationNanos").asLong());
            double rate = command.path("rate").asDouble();
            long start = nanosAt(command.path("startAtMicros").asLong());
            Pacer.Sender sender = (c, seq, intended) -> c.sendEncoded(message.retainedDuplicate(), encoding.text(), false);
            Pacer pacer = null;
            List<Blaster> blasters = new ArrayList<>();
            if (n > 0 && rate > 0) {
                pacer = new Pacer(new RateShape.Constant(rate * n), n, start, duration, common.lateThreshold);
                for (int slot = 0; slot < n; slot++) {
                    BenchConnection c = connections.get(slot);
                    c.attach(pacer.start(c, slot, (conn, seq, intended) -> {
                        sender.send(conn, seq, intended);
                        fresh.sent.increment();
                    }));
                }
            } else if (n > 0) {
                BaseScenario.parkUntil(start);
                for (BenchConnection c : connections) {
                    Blaster blaster = new Blaster(c, sender, start + duration.toNanos(), fresh.sent);
                    c.attach(blaster);
                    blasters.add(blaster.start());
                }
            }
            BaseScenario.parkUntil(start + duration.toNanos());
            boolean stopped = pacer != null ? pacer.stopAndWait(BaseScenario.STOP_TIMEOUT) : Throughput.stopAll(blasters);
            Map<String, Long> counters = new LinkedHashMap<>();
            counters.put(Metric.SENT, fresh.sent.sum());
            counters.put("protocol_frames", BaseScenario.protocolFrames(fleet) - protocolBefore);
            counters.put(Metric.LATE_SENDS, pacer == null ? 0 : pacer.lateSends() + pacer.unsent());
            counters.put("unsent", pacer == null ? 0 : pacer.unsent());
            counters.put(Metric.ERRORS, fresh.errors.sum());
            counters.put(Metric.DROPPED_CONNECTIONS, fresh.dropped.sum());
            reply.set("slice", SliceCodec.encode(new SliceStats(counters, Map.of())));
            return reply.put("active", fleet.active()).put("stopped", stopped);
        } finally {
            message.release();
        }
    }

    @Override
    public Sample sample() {
        ConnectionListener l = listener;
        int open = fleet.active();
        if (l instanceof PingLatency.Pings p) {
            return new Sample(open, p.sent.sum(), p.received.sum(), p.errors.sum());
        }
        if (l instanceof Throughput.Ingest i) {
            return new Sample(open, i.sent.sum(), i.received.sum(), i.errors.sum());
        }
        return new Sample(open, 0, 0, 0);
    }

    @Override
    public void close() {
        try {
            fleet.closeAll(BaseScenario.CLOSE_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
    }

    /** {@link System#nanoTime()} at the epoch microseconds {@code micros} (0: now). */
    static long nanosAt(long micros) {
        if (micros <= 0) {
            return System.nanoTime();
        }
        return System.nanoTime() + (micros - WallClock.nowMicros()) * 1000;
    }

    private static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }
}
