package io.fanwire.bench.scenario;

import java.util.ArrayList;
import java.util.List;

import io.fanwire.bench.client.BenchClient;
import io.fanwire.bench.client.ConnectionListener;
import io.fanwire.bench.load.Tiers;
import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;
import io.fanwire.bench.worker.WorkerPlan;
import picocli.CommandLine.Command;

/**
 * {@code connect-storm}: per tier, opens N connections as fast as the batch size (connections in flight) and
 * ramp rate allow, and measures the accept rate and each connection's handshake latency from TCP connect
 * through {@code server_ready}. The server's memory before and after gives its cost per connection.
 */
@Command(name = "connect-storm", mixinStandardHelpOptions = true,
        description = "Accept rate and handshake latency (TCP connect through server_ready) per tier.")
public final class ConnectStorm extends BaseScenario {

    @Override
    public String name() {
        return "connect-storm";
    }

    @Override
    public String title() {
        return "Connect storm";
    }

    @Override
    public String measures() {
        return "Connections opened per second (at most --batch-size in flight) and each one's time from TCP connect "
                + "to server_ready (the 101 in raw mode); server memory before and after the tier.";
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
        ServerProbe probe = common.probe();
        List<Integer> counts = tiers(Tiers.DEFAULT);
        WorkerPlan plan = workerPlan(counts);
        if (plan.distributed()) {
            return runOnWorkers(plan, counts);
        }
        try (BenchClient client = new BenchClient(common.clientOptions())) {
            Fleet fleet = null;
            for (int i = 0; i < counts.size(); i++) {
                int n = counts.get(i);
                ServerProbe.ResourceSample before = probe.sample();
                java.util.concurrent.atomic.AtomicReference<Fleet> current = new java.util.concurrent.atomic.AtomicReference<>();
                TierMonitor monitor = new TierMonitor(probe, before,
                        () -> current.get() == null ? 0 : current.get().size(), () -> 0, () -> 0, () -> 0)
                .progress(common.progress(), name(), null);
                fleet = fleet(client, fleet, n, ConnectionListener.IGNORE);
                current.set(fleet);
                TierFigures figures = new TierFigures(n + " conns", n).parameter("batch_size", common.batchSize)
                        .parameter("ramp_rate", common.rampRate).parameter("kept", common.keepConnections);
                connectFigures(figures, fleet);
                figures.seconds(fleet.openedSeconds())
                        .rate(Metric.CONNECTS_PER_S, fleet.counters().get(Metric.CONNECTED) / Math.max(1e-9, fleet.openedSeconds()));
                figures.server(monitor.finish()).timeline(monitor.timeline());
                tiers.add(figures.build());
                endTier(fleet, i == counts.size() - 1);
                cooldown();
            }
        }
        return new ScenarioResult(name(), title(), measures(), closedLoop(), tiers, List.of());
    }

    /** The tiers on worker processes: each opens its share at one common start; the figures are merged. */
    private ScenarioResult runOnWorkers(WorkerPlan plan, List<Integer> counts) throws Exception {
        List<TierResult> tiers = new ArrayList<>();
        ServerProbe probe = common.probe();
        try (WorkerRun run = WorkerRun.start(common, plan)) {
            for (int i = 0; i < counts.size(); i++) {
                int n = counts.get(i);
                TierMonitor monitor = new TierMonitor(probe, probe.sample(), () -> run.total().connections(),
                        () -> 0, () -> 0, () -> 0).progress(common.progress(), name(), null);
                WorkerRun.Connected connected = run.connect(n, "none");
                TierFigures figures = new TierFigures(n + " conns", n).parameter("batch_size", common.batchSize)
                        .parameter("ramp_rate", common.rampRate).parameter("kept", common.keepConnections);
                WorkerRun.connectFigures(figures, connected, run.workerCount());
                figures.seconds(connected.openedSeconds()).rate(Metric.CONNECTS_PER_S,
                        connected.slice().counter(Metric.CONNECTED) / Math.max(1e-9, connected.openedSeconds()));
                figures.server(monitor.finish()).timeline(monitor.timeline());
                tiers.add(figures.build());
                run.endTier(common.keepConnections && i < counts.size() - 1);
                cooldown();
            }
            return new ScenarioResult(name(), title(), measures(), closedLoop(), tiers, List.of(run.note()));
        }
    }
}
