package io.fanwire.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fanwire.bench.report.LatencySummary;
import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.TierResult;
import picocli.CommandLine;

/**
 * A server that stops answering for 500 ms: latency counted from the intended send times shows the stall,
 * latency counted from the actual sends (which waited for the answer, one ping in flight) hides it.
 */
class CoordinatedOmissionIT {

    @Test
    void correctedLatencyShowsAStallThatUncorrectedLatencyHides() throws Exception {
        try (StallingEchoServer server = new StallingEchoServer(50, 500)) {
            PingLatency scenario = new PingLatency();
            new CommandLine(scenario).parseArgs("--url", server.url(), "--raw", "--token-carrier", "none",
                    "--tiers", "1", "--rate", "100", "--duration", "2s", "--cooldown", "0s");

            TierResult tier = scenario.run().tiers().getFirst();

            long sent = tier.counter(Metric.SENT);
            assertThat(sent + tier.counter("unsent")).isEqualTo(200);
            assertThat(tier.counter(Metric.RECEIVED)).isEqualTo(sent);
            // About 50 pings fell due during the stall and went out late.
            assertThat(tier.counter(Metric.LATE_SENDS)).isGreaterThanOrEqualTo(30);
            LatencySummary corrected = tier.latencies().get(Metric.RTT);
            LatencySummary uncorrected = tier.latencies().get(Metric.RTT_UNCORRECTED);
            assertThat(corrected.count()).isEqualTo(sent);
            assertThat(uncorrected.count()).isEqualTo(sent);
            // A quarter of the intended sends waited on the stall; only one actual send did.
            assertThat(corrected.p90Micros()).isGreaterThan(200_000);
            assertThat(corrected.maxMicros()).isGreaterThan(450_000);
            assertThat(uncorrected.p90Micros()).isLessThan(50_000);
        }
    }
}
