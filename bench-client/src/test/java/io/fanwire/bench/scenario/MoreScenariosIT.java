package io.fanwire.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;

class MoreScenariosIT {

    @Test
    void sustainedHoldKeepsEveryConnection() throws Exception {
        try (TestServer server = TestServer.start()) {
            TierResult tier = server.scenario(new SustainedHold(), "--tiers", "30", "--duration", "1s",
                    "--ping-interval", "200ms").run().tiers().getFirst();

            assertThat(tier.counter("survived")).isEqualTo(30);
            assertThat(tier.counter(Metric.SENT) + tier.counter("unsent")).isEqualTo(150);
            assertThat(tier.counter(Metric.RECEIVED)).isEqualTo(tier.counter(Metric.SENT));
            assertThat(tier.counter(Metric.DROPPED_CONNECTIONS)).isZero();
        }
    }

    @Test
    void sizeMatrixAndFormatCompareAreCountedByTheServer() throws Exception {
        try (TestServer server = TestServer.start()) {
            ScenarioResult sizes = server.scenario(new SizeMatrix(), "--tiers", "10", "--duration", "500ms",
                    "--rate", "20", "--payloads", "16,4k").run();
            ScenarioResult formats = server.scenario(new FormatCompare(), "--tiers", "10", "--duration", "500ms",
                    "--rate", "20", "--payload", "2048").run();

            assertThat(sizes.tiers()).hasSize(2);
            assertThat(formats.tiers()).extracting(t -> t.parameters().get("encoding"))
                    .containsExactly("json", "msgpack", "json+C:");
            for (TierResult tier : concat(sizes.tiers(), formats.tiers())) {
                assertThat(tier.counter(Metric.SERVER_RECEIVED)).as(tier.label()).isEqualTo(tier.counter(Metric.SENT));
                assertThat(tier.counter(Metric.LOST)).as(tier.label()).isZero();
                assertThat(tier.counter(Metric.ERRORS)).as(tier.label()).isZero();
            }
            // Random letters compress: the C: frame is smaller than the JSON one.
            assertThat(Long.parseLong(formats.tiers().get(2).parameters().get("frame_bytes")))
                    .isLessThan(Long.parseLong(formats.tiers().get(0).parameters().get("frame_bytes")));
        }
    }

    @Test
    void usersReportMemoryPerUser() throws Exception {
        try (TestServer server = TestServer.start()) {
            TierResult tier = server.scenario(new Users(), "--tiers", "20", "--duration", "1s", "--rate", "5")
                    .run().tiers().getFirst();

            assertThat(tier.counter(Metric.SENT) + tier.counter("unsent")).isEqualTo(100);
            assertThat(tier.counter(Metric.RECEIVED)).isEqualTo(tier.counter(Metric.SENT));
            assertThat(tier.counter("rss_before_bytes")).isPositive();
            assertThat(tier.counters()).containsKey("rss_per_user_bytes");
        }
    }

    @Test
    void profileFollowsItsShape() throws Exception {
        try (TestServer server = TestServer.start()) {
            TierResult tier = server.scenario(new Profile(), "--tiers", "10", "--shape", "step:50x500ms,100x500ms")
                    .run().tiers().getFirst();

            // 50/s for 0.5 s then 100/s for 0.5 s; each connection steps at its own next send, so about 75.
            assertThat(tier.counter("scheduled")).isBetween(65L, 80L);
            assertThat(tier.counter(Metric.SENT) + tier.counter("unsent")).isEqualTo(tier.counter("scheduled"));
            assertThat(tier.counter(Metric.RECEIVED)).isEqualTo(tier.counter(Metric.SENT));
            assertThat(tier.counter(Metric.LOST)).isZero();
        }
    }

    @Test
    void limitStopsAtTheFirstFailingTier() throws Exception {
        try (TestServer server = TestServer.start()) {
            // No server answers within 0 µs: the first tier fails and the limit is 0.
            ScenarioResult result = server.scenario(new Limit(), "--tiers", "10,20", "--duration", "500ms",
                    "--rate", "10", "--p95", "0ms").run();
            assertThat(result.tiers()).hasSize(1);
            assertThat(result.notes().getFirst()).startsWith("limit: 0 connections");

            ScenarioResult generous = server.scenario(new Limit(), "--tiers", "10,20", "--duration", "500ms",
                    "--rate", "10", "--p95", "1m").run();
            assertThat(generous.tiers()).hasSize(2);
            assertThat(generous.notes().getFirst()).startsWith("limit: 20 connections");
        }
    }

    @Test
    void suiteSetsResolveAndKeepTheConnectionOptions() {
        for (String set : List.of("quick", "full", "pystrands", "wse", "zeptoclaw", "agentbounty", "mcp")) {
            assertThat(Suite.steps(set)).as(set).isNotEmpty();
        }
        assertThatThrownBy(() -> Suite.steps("nope")).hasMessageContaining("expected: quick, full");
        Suite suite = new Suite();
        new picocli.CommandLine(suite).parseArgs("--url", "ws://127.0.0.1:9/ws", "--secret", TestServer.SECRET);
        CommonOptions copy = suite.common().with("5", Duration.ofSeconds(2), 3.0);
        assertThat(copy.clientOptions().url().getPort()).isEqualTo(9);
        assertThat(copy.tiersOr("x")).isEqualTo("5");
        assertThat(copy.duration()).isEqualTo(Duration.ofSeconds(2));
        assertThat(copy.rateOr(1)).isEqualTo(3.0);
    }

    private static List<TierResult> concat(List<TierResult> a, List<TierResult> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
