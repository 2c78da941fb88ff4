package io.fanwire.bench.scenario;

import java.util.ArrayList;
import java.util.List;

import io.fanwire.bench.client.BenchClient;
import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;
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
        try (BenchClient client = new BenchClient(common.clientOptions())) {
            Fleet fleet = null;
            for (int i = 0; i < counts.size(); i++) {
                int n = counts.get(i);
                PingLatency.Pings pings = new PingLatency.Pings();
                fleet = fleet(client, fleet, n, pings);
                int opened = fleet.size();
                TierFigures figures = PingLatency.runTier(this, fleet, pings, rate, 1, n + " conns held");
                int survived = fleet.active();
                figures.counter("survived", survived).parameter("ping_interval", pingInterval)
                        .rate("survival_percent", opened == 0 ? 0 : 100.0 * survived / opened);
                if (survived < opened) {
                    figures.note((opened - survived) + " of " + opened + " connections closed during the hold");
                }
                tiers.add(figures.build());
                endTier(fleet, i == counts.size() - 1);
                cooldown();
            }
        }
        return new ScenarioResult(name(), title(), measures(), closedLoop(), tiers,
                List.of("memory over time: the server RSS of each timeline sample (" + Metric.RTT + " from intended times)"));
    }
}
