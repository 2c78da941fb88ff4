package io.fanwire.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;

class PingLatencyIT {

    @Test
    void everyPacedPingIsAnsweredAndTimed() throws Exception {
        try (TestServer server = TestServer.start()) {
            ScenarioResult result = server.scenario(new PingLatency(), "--tiers", "50", "--duration", "1s",
                    "--rate", "20").run();

            TierResult tier = result.tiers().getFirst();
            assertThat(result.closedLoop()).isFalse();
            // 50 connections x 20/s x 1 s, phase-shifted: the schedule, less what a loaded machine could not send.
            long sent = tier.counter(Metric.SENT);
            assertThat(sent + tier.counter("unsent")).isEqualTo(1000);
            assertThat(tier.counter(Metric.RECEIVED)).isEqualTo(sent);
            assertThat(tier.counter(Metric.LOST)).isZero();
            assertThat(tier.counter(Metric.ERRORS)).isZero();
            assertThat(tier.latencies().get(Metric.RTT).count()).isEqualTo(sent);
            assertThat(tier.latencies().get(Metric.RTT_UNCORRECTED).count()).isEqualTo(sent);
            assertThat(tier.latencies().get(Metric.RTT).p50Micros())
                    .isGreaterThanOrEqualTo(tier.latencies().get(Metric.RTT_UNCORRECTED).p50Micros());
            assertThat(server.server.stats().messagesIn.sum()).isEqualTo(sent);
        }
    }
}
