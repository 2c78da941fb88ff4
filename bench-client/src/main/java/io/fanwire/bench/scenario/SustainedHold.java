package io.fanwire.bench.scenario;

import java.util.ArrayList;
import java.util.List;

import io.fanwire.bench.client.BenchClient;
import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;
import io.fanwire.bench.worker.WorkerPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sustained-hold}: holds N connections for the duration, each pinging every {@code --ping-interval}
 * (paced, phase-shifted); survival (connections still open at the end), round trip, and the server's memory
 * over time (the timeline's RSS samples).
 */
@Command(name = "sustained-hold", mixinStandardHelpOptions = true,
        description = "Hold N connections with periodic pings: survival, RTT, server memory over time.")
public final class SustainedHold extends BaseScenario {

    @Option(names = "--ping-interval", paramLabel = "DURATION", defaultValue = "5s",
            converter = CommonOptions.DurationConverter.class,
            description = "Each connection pings this often (default: ${DEFAULT-VALUE}).")
    java.time.Duration pingInterval = java.time.Duration.ofSeconds(5);

    @Override
    public String name() {
        return "sustained-hold";
    }

    @Override
    public String title() {
        return "Sustained hold";
    }

    @Override
    public String measures() {
        return "N connections held for --duration, each sending an application ping every --ping-interval: "
                + "connections surviving to the end, ping round trip (corrected), and server memory over time.";
    }

    @Override
    public boolean closedLoop() {
        return false;
    }

    @Override
    public ScenarioResult run() throws Exception {
        List<TierResult> tiers = new ArrayList<>();
        List<Integer> counts = tiers("1000");
        double rate = 1e9 / pingInterval.toNanos();
        WorkerPlan plan = workerPlan(counts);
        if (plan.distributed()) {
            try (WorkerRun run = WorkerRun.start(common, plan)) {
                for (int i = 0; i < counts.size(); i++) {
                    int n = counts.get(i);
                    WorkerRun.Connected connected = run.connect(n, ProcessSlice.PING);
                    PingLatency.WorkerTier tier = PingLatency.runTierOnWorkers(this, run, connected, rate, 1,
                            n + " conns held");
                    tiers.add(survival(tier.figures(), tier.opened(), tier.active()).build());
                    run.endTier(common.keepConnections && i < counts.size() - 1);
                    cooldown();
                }
                return result(tiers, run.note());
            }
        }
        try (BenchClient client = new BenchClient(common.clientOptions())) {
            Fleet fleet = null;
            for (int i = 0; i < counts.size(); i++) {
                int n = counts.get(i);
                PingLatency.Pings pings = new PingLatency.Pings();
                fleet = fleet(client, fleet, n, pings);
                int opened = fleet.size();
                TierFigures figures = PingLatency.runTier(this, fleet, pings, rate, 1, n + " conns held");
                tiers.add(survival(figures, opened, fleet.active()).build());
                endTier(fleet, i == counts.size() - 1);
                cooldown();
            }
        }
        return result(tiers, null);
    }

    private TierFigures survival(TierFigures figures, int opened, int survived) {
        figures.counter("survived", survived).parameter("ping_interval", pingInterval)
                .rate("survival_percent", opened == 0 ? 0 : 100.0 * survived / opened);
        if (survived < opened) {
            figures.note((opened - survived) + " of " + opened + " connections closed during the hold");
        }
        return figures;
    }

    private ScenarioResult result(List<TierResult> tiers, String workersNote) {
        List<String> notes = new ArrayList<>();
        notes.add("memory over time: the server RSS of each timeline sample (" + Metric.RTT + " from intended times)");
        if (workersNote != null) {
            notes.add(workersNote);
        }
        return new ScenarioResult(name(), title(), measures(), closedLoop(), tiers, notes);
    }

    @Override
    public boolean supportsWorkers() {
        return true;
    }
}
