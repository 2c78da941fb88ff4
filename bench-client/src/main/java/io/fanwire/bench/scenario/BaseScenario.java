package io.fanwire.bench.scenario;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;

import io.fanwire.bench.client.BenchClient;
import io.fanwire.bench.client.BenchConnection;
import io.fanwire.bench.client.ConnectionListener;
import io.fanwire.bench.load.Tiers;
import io.fanwire.bench.report.Metric;
import io.fanwire.bench.worker.WorkerPlan;
import picocli.CommandLine.Mixin;

/** What the scenarios share: the common options, and opening, keeping and closing a tier's connections. */
abstract class BaseScenario implements Scenario {

    /** How long a tier waits for the last answers after its schedule ended. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** How long stopping the senders of a tier may take (event loops that are far behind). */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    @Mixin
    CommonOptions common = new CommonOptions();

    private int nextIndex;

    @Override
    public CommonOptions common() {
        return common;
    }

    /** Runs this scenario with {@code options} instead of its own (for the suite). */
    void common(CommonOptions options) {
        this.common = options;
    }

    /** The tiers to run: {@code --tiers}, or this scenario's default. */
    List<Integer> tiers(String fallback) {
        return Tiers.parse(common.tiersOr(fallback));
    }

    /**
     * The connections of a tier of {@code n}: a new fleet, or with {@code --keep-connections} the previous one,
     * topped up or trimmed to {@code n}. Every connection hands its events to {@code listener}.
     */
    Fleet fleet(BenchClient client, Fleet previous, int n, ConnectionListener listener) throws InterruptedException {
        // Refuses, with the reason, a tier that one process cannot hold.
        common.workerPlan(n, name(), false);
        Fleet fleet = previous != null && common.keepConnections ? previous : new Fleet();
        // A kept fleet's tier reports the connections it added, not those of earlier tiers.
        fleet.resetMeasurements();
        if (fleet.size() > n) {
            fleet.trimTo(n, CLOSE_TIMEOUT);
        }
        synchronized (fleet.connections()) {
            for (BenchConnection c : fleet.connections()) {
                c.listener(listener);
            }
        }
        int missing = n - fleet.size();
        if (missing > 0) {
            fleet.open(client, nextIndex, missing, listener, common.batchSize, common.rampRate,
                    common.connectTimeout.plusSeconds(5));
            nextIndex += missing;
        }
        return fleet;
    }

    /**
     * How the tiers {@code counts} spread over processes ({@code --workers}, the open-files limit, source
     * addresses); in this process, automatically chosen source addresses apply to the client options.
     */
    WorkerPlan workerPlan(List<Integer> counts) {
        int max = counts.stream().mapToInt(Integer::intValue).max().orElse(0);
        WorkerPlan plan = common.workerPlan(max, name(), supportsWorkers());
        if (!plan.distributed() && plan.autoAddresses()) {
            common.plannedSourceAddresses(plan.addresses().getFirst());
        }
        return plan;
    }

    /** Closes the tier's connections unless they are kept for the next tier. */
    void endTier(Fleet fleet, boolean last) throws InterruptedException {
        if (!common.keepConnections || last) {
            fleet.closeAll(CLOSE_TIMEOUT);
        }
    }

    /** Pauses between tiers so the server settles (the pause is the point; nothing is awaited). */
    void cooldown() {
        long end = System.nanoTime() + common.cooldown.toNanos();
        for (long wait; (wait = end - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(wait);
        }
    }

    /** Waits until {@code nanoTime} reaches {@code when}. */
    static void parkUntil(long when) {
        for (long wait; (wait = when - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(wait);
        }
    }

    /** Polls {@code condition} every few milliseconds until it holds or {@code timeout} passes. */
    static boolean awaitCondition(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(20_000_000);
        }
        return true;
    }

    /** Adds the fleet's connect counts and handshake latency to a tier. */
    static void connectFigures(TierFigures figures, Fleet fleet) {
        figures.counters(fleet.counters().snapshot());
        figures.latency(Metric.HANDSHAKE, fleet.handshakes().total());
        long failed = fleet.counters().get(Metric.CONNECT_FAILED);
        if (failed > 0) {
            figures.note(failed + " connection attempts failed: " + fleet.counters().snapshot());
        }
    }

    /** Frames the connections sent on their own (PONGs, client_hello), which a server counts as messages. */
    static long protocolFrames(Fleet fleet) {
        long n = 0;
        synchronized (fleet.connections()) {
            for (BenchConnection c : fleet.connections()) {
                n += c.protocolFramesSent();
            }
        }
        return n;
    }

    /**
     * A server counter: the Prometheus series {@code metric} from {@code /metrics}, else {@code infoPath} of
     * {@code /api/info} (e.g. {@code messages/in}); -1 when neither can be read.
     */
    static long serverCounter(ServerProbe probe, String metric, String infoPath) {
        ServerProbe.Metrics m = probe.metrics();
        double value = m.sum(metric, -1);
        if (value >= 0) {
            return (long) value;
        }
        JsonNode info = probe.info();
        if (info == null) {
            return -1;
        }
        JsonNode node = info.at("/" + infoPath);
        return node.isNumber() ? node.asLong() : -1;
    }
}
