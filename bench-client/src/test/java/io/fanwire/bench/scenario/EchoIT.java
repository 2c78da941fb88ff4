package io.fanwire.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;

class EchoIT {

    @Test
    void theThreeModesLoseNothing() throws Exception {
        try (TestServer server = TestServer.start()) {
            List<ScenarioResult> results = server.scenario(new Echo(), "--mode", "pingpong,echo,blast",
                    "--tiers", "20", "--duration", "1s", "--rate", "20").runAll();

            assertThat(results).extracting(ScenarioResult::closedLoop).containsExactly(true, false, false);

            TierResult pingpong = results.get(0).tiers().getFirst();
            assertThat(pingpong.counter(Metric.SENT)).isPositive();
            assertThat(pingpong.counter(Metric.RECEIVED)).isEqualTo(pingpong.counter(Metric.SENT));
            assertThat(pingpong.counter(Metric.SERVER_RECEIVED)).isEqualTo(pingpong.counter(Metric.SENT));
            assertThat(pingpong.counter(Metric.LOST)).isZero();
            assertThat(pingpong.latencies().get(Metric.RTT_UNCORRECTED).count()).isEqualTo(pingpong.counter(Metric.SENT));
            assertThat(pingpong.latencies()).doesNotContainKey(Metric.RTT);

            TierResult echo = results.get(1).tiers().getFirst();
            long sent = echo.counter(Metric.SENT);
            assertThat(sent + echo.counter("unsent")).isEqualTo(400);
            assertThat(echo.counter(Metric.RECEIVED)).isEqualTo(sent);
            assertThat(echo.counter(Metric.SERVER_RECEIVED)).isEqualTo(sent);
            assertThat(echo.counter(Metric.LOST)).isZero();
            assertThat(echo.latencies().get(Metric.RTT).count()).isEqualTo(sent);

            TierResult blast = results.get(2).tiers().getFirst();
            assertThat(blast.counter(Metric.SENT)).isPositive();
            assertThat(blast.counter(Metric.SERVER_RECEIVED)).isEqualTo(blast.counter(Metric.SENT));
            assertThat(blast.counter(Metric.LOST)).isZero();
            assertThat(blast.counter(Metric.ERRORS)).isZero();
        }
    }
}
