package io.fanwire.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;

class ThroughputIT {

    @Test
    void theServerCountsExactlyWhatWasSent() throws Exception {
        try (TestServer server = TestServer.start()) {
            ScenarioResult result = server.scenario(new Throughput(), "--tiers", "20", "--duration", "1s",
                    "--rate", "50", "--payloads", "64,1k").run();

            assertThat(result.tiers()).hasSize(2);
            for (TierResult tier : result.tiers()) {
                // 20 connections x 50/s x 1 s: what did not go out before the end (a loaded machine) is counted.
                assertThat(tier.counter(Metric.SENT) + tier.counter("unsent")).as(tier.label()).isEqualTo(1000);
                assertThat(tier.counter(Metric.SENT)).as(tier.label()).isPositive();
                assertThat(tier.counter(Metric.SERVER_RECEIVED)).as(tier.label()).isEqualTo(tier.counter(Metric.SENT));
                assertThat(tier.counter(Metric.LOST)).as(tier.label()).isZero();
                assertThat(tier.counter(Metric.ERRORS)).as(tier.label()).isZero();
                assertThat(tier.rates().get(Metric.SERVER_RECEIVED_PER_S)).isPositive();
            }
            long sent = result.tiers().stream().mapToLong(t -> t.counter(Metric.SENT)).sum();
            assertThat(server.server.stats().messagesIn.sum()).isEqualTo(sent);
            assertThat(server.appMessages.sum()).isEqualTo(sent);
        }
    }

    @Test
    void unpacedBlastIsCountedByTheServerInEveryEncoding() throws Exception {
        try (TestServer server = TestServer.start()) {
            for (String[] encoding : new String[][] {{"--format", "json"}, {"--format", "msgpack"},
                    {"--compression", "--payload", "2048"}}) {
                long before = server.server.stats().messagesIn.sum();
                String[] args = concat(encoding, "--tiers", "20", "--duration", "500ms", "--rate", "0");
                TierResult tier = server.scenario(new Throughput(), args).run().tiers().getFirst();

                assertThat(tier.counter(Metric.SENT)).as(tier.label()).isPositive();
                assertThat(tier.counter(Metric.SERVER_RECEIVED)).as(tier.label())
                        .isEqualTo(tier.counter(Metric.SENT) + tier.counter("protocol_frames"));
                assertThat(tier.counter(Metric.LOST)).isZero();
                assertThat(tier.counter(Metric.ERRORS)).as(tier.label()).isZero();
                // With compression each connection sent a client_hello when it opened, before the tier.
                long hellos = encoding[0].equals("--compression") ? 20 : 0;
                assertThat(server.server.stats().messagesIn.sum() - before)
                        .isEqualTo(tier.counter(Metric.SERVER_RECEIVED) + hellos);
            }
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
