package io.fanwire.bench.scenario;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.bench.report.Metric;
import io.fanwire.bench.stats.SliceStats;
import io.fanwire.bench.stats.WallClock;
import io.fanwire.bench.worker.SliceCodec;
import io.fanwire.bench.worker.WorkerPlan;
import io.fanwire.bench.worker.WorkerTask;
import io.fanwire.bench.worker.Workers;

/**
 * The coordinator's side of a run on worker processes: starts them, gives each its share of every tier and of
 * the connection indexes (so minted users stay distinct across workers), starts their phases at one wall-clock
 * instant so that the tiers stay in step, and merges what they measured: counters add up, histograms merge
 * exactly. Every command has a time limit derived from what it asks; a worker that fails, exits or overruns
 * it fails the run ({@link io.fanwire.bench.worker.WorkerException}).
 */
final class WorkerRun implements AutoCloseable {

    /** The worker processes' entry point. */
    static final String WORKER_MAIN = "io.fanwire.bench.WorkerMain";
    /** How far ahead a phase's common start is set, so that every worker has the command before it. */
    static final Duration START_LEAD = Duration.ofMillis(500);
    /** Slack on every command's time limit (a loaded machine, a JVM warming up). */
    static final Duration SLACK = Duration.ofSeconds(30);
    /** The slowest connect rate per worker a time limit allows for before a worker counts as stuck. */
    static final double MIN_CONNECTS_PER_SECOND = 50;

    /** What the workers opened for a tier, merged. */
    record Connected(SliceStats slice, double openedSeconds, int size) {
    }

    /** A run phase's merged slice, the connections still open at its end, and whether every sender stopped. */
    record Ran(SliceStats slice, int active, boolean stopped) {
    }

    private final CommonOptions common;
    private final WorkerPlan plan;
    private final Workers workers;
    private int nextIndex;

    private WorkerRun(CommonOptions common, WorkerPlan plan, Workers workers) {
        this.common = common;
        this.plan = plan;
        this.workers = workers;
    }

    /** Starts the plan's workers, each configured with the client options and its source addresses. */
    static WorkerRun start(CommonOptions common, WorkerPlan plan) throws IOException, InterruptedException {
        List<String> args = common.workerArgs();
        Workers workers = Workers.start(plan.workers(), Workers.javaCommand(WORKER_MAIN), w -> {
            ObjectNode command = Workers.command();
            ArrayNode a = command.putArray("args");
            args.forEach(a::add);
            ArrayNode s = command.putArray("sourceAddresses");
            plan.addresses().get(w).forEach(address -> s.add(address.getHostAddress()));
            return command;
        });
        common.recordLoadProcesses(plan.workers());
        return new WorkerRun(common, plan, workers);
    }

    int workerCount() {
        return workers.size();
    }

    List<Long> pids() {
        return workers.pids();
    }

    /** The workers' latest progress, summed. */
    WorkerTask.Sample total() {
        return workers.total();
    }

    /**
     * Has the workers hold {@code n} connections between them (a kept fleet is topped up or trimmed), opened for
     * {@code listener} ({@code none}, {@code ping} or {@code ingest}); the batch size and ramp rate are the
     * run's, divided among the workers.
     */
    Connected connect(int n, String listener) throws InterruptedException {
        int[] shares = plan.shares(n);
        int[] from = new int[shares.length];
        int largest = 0;
        for (int w = 0; w < shares.length; w++) {
            from[w] = nextIndex;
            nextIndex += shares[w];
            largest = Math.max(largest, shares[w]);
        }
        int batch = Math.max(1, (common.batchSize + shares.length - 1) / shares.length);
        double ramp = common.rampRate / shares.length;
        long startAt = WallClock.nowMicros() + START_LEAD.toNanos() / 1000;
        Duration timeout = START_LEAD.plus(common.connectTimeout).plusSeconds(5).plus(SLACK)
                .plusMillis((long) (largest / (ramp > 0 ? Math.min(ramp, MIN_CONNECTS_PER_SECOND) : MIN_CONNECTS_PER_SECOND)
                        * 1000));
        List<JsonNode> replies = workers.all(ProcessSlice.CONNECT, w -> Workers.command().put("count", shares[w])
                .put("fromIndex", from[w]).put("batchSize", batch).put("rampRate", ramp).put("startAtMicros", startAt)
                .put("listener", listener), timeout);
        SliceStats merged = SliceStats.empty();
        long openedNanos = 0;
        int size = 0;
        for (JsonNode reply : replies) {
            merged = merged.merge(SliceCodec.decode(reply.path("slice")));
            openedNanos = Math.max(openedNanos, reply.path("openedNanos").asLong());
            size += reply.path("size").asInt();
        }
        return new Connected(merged, openedNanos / 1e9, size);
    }

    /** Paced application pings at {@code rate} per connection on every worker, from one common start. */
    Ran ping(double rate, int maxInFlight, Duration duration) throws InterruptedException {
        long startAt = WallClock.nowMicros() + START_LEAD.toNanos() / 1000;
        return run(ProcessSlice.PING, Workers.command().put("rate", rate).put("maxInFlight", maxInFlight)
                .put("durationNanos", duration.toNanos()).put("startAtMicros", startAt), duration);
    }

    /** {@code throughput}'s sends of {@code payloadBytes} in {@code encoding} at {@code rate} per connection (0: max). */
    Ran ingest(int payloadBytes, Payloads.Encoding encoding, double rate, Duration duration) throws InterruptedException {
        long startAt = WallClock.nowMicros() + START_LEAD.toNanos() / 1000;
        return run(ProcessSlice.INGEST, Workers.command().put("payloadBytes", payloadBytes).put("encoding", encoding.name())
                .put("rate", rate).put("durationNanos", duration.toNanos()).put("startAtMicros", startAt), duration);
    }

    private Ran run(String op, ObjectNode command, Duration duration) throws InterruptedException {
        Duration timeout = START_LEAD.plus(duration).plus(BaseScenario.STOP_TIMEOUT).plus(BaseScenario.DRAIN_TIMEOUT)
                .plus(SLACK);
        List<JsonNode> replies = workers.all(op, w -> command.deepCopy(), timeout);
        SliceStats merged = SliceStats.empty();
        int active = 0;
        boolean stopped = true;
        for (JsonNode reply : replies) {
            merged = merged.merge(SliceCodec.decode(reply.path("slice")));
            active += reply.path("active").asInt();
            stopped &= reply.path("stopped").asBoolean();
        }
        return new Ran(merged, active, stopped);
    }

    /** Ends a tier on every worker: closes its connections unless {@code keep}. */
    void endTier(boolean keep) throws InterruptedException {
        workers.all(ProcessSlice.END_TIER, w -> Workers.command().put("keep", keep),
                BaseScenario.CLOSE_TIMEOUT.multipliedBy(2).plus(SLACK));
    }

    /** Adds the merged connect counts and handshake latency to a tier. */
    static void connectFigures(TierFigures figures, Connected connected, int workers) {
        figures.parameter("workers", workers).counters(connected.slice().counters());
        figures.latency(Metric.HANDSHAKE, connected.slice().histograms().getOrDefault(Metric.HANDSHAKE,
                io.fanwire.bench.stats.LatencyRecorder.newHistogram()));
        long failed = connected.slice().counter(Metric.CONNECT_FAILED);
        if (failed > 0) {
            figures.note(failed + " connection attempts failed: " + connected.slice().counters());
        }
    }

    /** A note for the scenario's result: the processes that generated the load. */
    String note() {
        return workers.size() + " worker processes generated the load (pids " + workers.pids() + "), "
                + "at most " + plan.perProcess() + " connections each"
                + (plan.allAddresses().isEmpty() ? "" : ", from " + plan.allAddresses().size() + " source addresses"
                + (plan.autoAddresses() ? " (chosen automatically)" : ""));
    }

    @Override
    public void close() {
        workers.close();
    }
}
