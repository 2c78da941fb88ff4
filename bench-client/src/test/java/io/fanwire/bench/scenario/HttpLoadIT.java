package io.fanwire.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;

class HttpLoadIT {

    @Test
    void closedLoopAnswersEveryRequestOfEveryEndpoint() throws Exception {
        try (TestServer server = TestServer.start()) {
            ScenarioResult result = server.scenario(new HttpLoad(), "--tiers", "4",
                    "--endpoints", "health,ready,metrics,info,publish", "--duration", "1s").run();

            assertThat(result.closedLoop()).isTrue();
            assertThat(result.tiers()).extracting(TierResult::label)
                    .containsExactly("health × 4", "ready × 4", "metrics × 4", "info × 4", "publish × 4");
            for (TierResult tier : result.tiers()) {
                assertThat(tier.counter(Metric.SENT)).as(tier.label()).isPositive();
                assertThat(tier.counter(Metric.RECEIVED)).as(tier.label()).isEqualTo(tier.counter(Metric.SENT));
                assertThat(tier.counter(Metric.ERRORS)).as(tier.label()).isZero();
                assertThat(tier.latencies().get(Metric.HTTP_LATENCY).count()).isEqualTo(tier.counter(Metric.RECEIVED));
                assertThat(tier.rates().get(Metric.REQUESTS_PER_S)).isPositive();
            }
            Map<String, TierResult> byEndpoint = result.tiers().stream()
                    .collect(Collectors.toMap(t -> t.parameters().get("endpoint"), t -> t));
            // What the server counted: every publish request became one publication.
            assertThat(server.server.stats().publications.sum())
                    .isEqualTo(byEndpoint.get("publish").counter(Metric.RECEIVED));
        }
    }

    @Test
    void pacedScheduleSendsExactlyItsRequestsAndCountsFromTheIntendedTime() throws Exception {
        try (TestServer server = TestServer.start()) {
            ScenarioResult result = server.scenario(new HttpLoad(), "--tiers", "4", "--endpoints", "health",
                    "--duration", "1s", "--rate", "50").run();

            assertThat(result.closedLoop()).isFalse();
            TierResult tier = result.tiers().getFirst();
            // 4 connections × 50 requests/s × 1 s: the schedule, not the server's speed, decides the count.
            assertThat(tier.counter(Metric.SENT)).isEqualTo(200);
            assertThat(tier.counter(Metric.RECEIVED)).isEqualTo(200);
            assertThat(tier.counter(Metric.ERRORS)).isZero();
            assertThat(tier.latencies()).containsKeys(Metric.HTTP_LATENCY, Metric.HTTP_LATENCY + "_uncorrected");
            assertThat(tier.counters()).containsKey(Metric.LATE_SENDS);
        }
    }

    @Test
    void withoutTheApiKeyProtectedEndpointsCountAsErrors() throws Exception {
        try (TestServer server = TestServer.start()) {
            ScenarioResult result = server.scenario(new HttpLoad(), "--tiers", "2", "--endpoints", "info",
                    "--duration", "500ms", "--api-key", "", "--rate", "0").run();

            // --rate 0 is the closed loop, and says so.
            assertThat(result.closedLoop()).isTrue();
            TierResult tier = result.tiers().getFirst();
            assertThat(tier.counter(Metric.HTTP_ERRORS)).isEqualTo(tier.counter(Metric.RECEIVED)).isPositive();
            assertThat(result.notes()).anyMatch(n -> n.contains("--api-key"));
        }
    }
}
