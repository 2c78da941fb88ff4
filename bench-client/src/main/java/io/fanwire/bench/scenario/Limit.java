package io.fanwire.bench.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.fanwire.bench.client.BenchClient;
import io.fanwire.bench.load.Durations;
import io.fanwire.bench.report.LatencySummary;
import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code limit}: a step search for the largest connection count whose paced ping latency (p95, corrected)
 * stays under a bound, and that connects and answers without loss. Tiers run in ascending order; the search
 * stops at the first that fails.
 */
@Command(name = "limit", mixinStandardHelpOptions = true,
        description = "Largest connection count whose ping p95 stays under --p95 (step search over --tiers).")
public final class Limit extends BaseScenario {

    @Option(names = "--p95", paramLabel = "DURATION", defaultValue = "10ms",
            description = "The bound on the 95th percentile of the corrected round trip (default: ${DEFAULT-VALUE}).")
    String p95 = "10ms";

    @Override
    public String name() {
        return "limit";
    }

    @Override
    public String title() {
        return "Connection limit (p95 < " + p95 + ")";
    }

    @Override
    public String measures() {
        return "Ping-latency tiers in ascending order until one fails: p95 of the corrected round trip above --p95, "
                + "a failed connection or a lost ping. The largest passing tier is the limit.";
    }

    @Override
    public boolean closedLoop() {
        return false;
    }

    @Override
    public ScenarioResult run() throws Exception {
        Duration bound = Durations.parse(p95);
        List<Integer> counts = new ArrayList<>(tiers("100,200,500,1000,2000,5000,10000,15000"));
        counts.sort(null);
        List<TierResult> tiers = new ArrayList<>();
        int limit = 0;
        String stop = "every tier passed";
        try (BenchClient client = new BenchClient(common.clientOptions())) {
            Fleet fleet = null;
            for (int n : counts) {
                PingLatency.Pings pings = new PingLatency.Pings();
                fleet = fleet(client, fleet, n, pings);
                TierFigures figures = PingLatency.runTier(this, fleet, pings, common.rateOr(PingLatency.DEFAULT_RATE), 1,
                        n + " conns");
                LatencySummary rtt = figures.latency(Metric.RTT);
                boolean pass = fleet.size() == n && figures.counter(Metric.LOST) == 0 && rtt != null
                        && rtt.count() > 0 && rtt.p95Micros() <= bound.toNanos() / 1000.0;
                figures.parameter("passed", pass);
                tiers.add(figures.build());
                fleet.closeAll(CLOSE_TIMEOUT);
                fleet = null;
                if (!pass) {
                    stop = n + " connections failed (p95 "
                            + (rtt == null ? "n/a" : String.format(java.util.Locale.ROOT, "%.2f ms", rtt.p95Micros() / 1000))
                            + ", connected " + figures.counter(Metric.CONNECTED) + ", lost " + figures.counter(Metric.LOST) + ")";
                    break;
                }
                limit = n;
                cooldown();
            }
        }
        return new ScenarioResult(name(), title(), measures(), closedLoop(), tiers,
                List.of("limit: " + limit + " connections; " + stop));
    }
}
