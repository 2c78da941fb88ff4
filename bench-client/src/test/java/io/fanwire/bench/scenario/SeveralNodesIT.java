package io.fanwire.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.TierResult;

/**
 * Server counts read from several nodes' {@code /metrics} ({@code --metrics-url}, repeated): what the nodes
 * counted together, and nothing at all when one of them cannot be read.
 */
@Timeout(value = 120)
class SeveralNodesIT {

    private static String metrics(TestServer server) {
        return "http://127.0.0.1:" + server.server.port() + "/metrics";
    }

    @Test
    void theCountsAreTheSumOverTheNodes() throws Exception {
        try (TestServer a = TestServer.start(); TestServer b = TestServer.start()) {
            // Node b gets messages of its own before the run: its counters start above zero.
            a.scenario(new Throughput(), "--url", b.url(), "--tiers", "5", "--duration", "300ms", "--rate", "20")
                    .run();
            long bBefore = b.server.stats().messagesIn.sum();
            assertThat(bBefore).isPositive();

            TierResult tier = a.scenario(new Throughput(), "--tiers", "10", "--duration", "1s", "--rate", "30",
                    "--metrics-url", metrics(a), "--metrics-url", metrics(b)).run().tiers().getFirst();

            long sent = tier.counter(Metric.SENT);
            assertThat(sent).isPositive();
            // Only node a received the run's messages; b's earlier ones are not counted again.
            assertThat(tier.counter(Metric.SERVER_RECEIVED)).isEqualTo(sent);
            assertThat(a.server.stats().messagesIn.sum()).isEqualTo(sent);
            assertThat(b.server.stats().messagesIn.sum()).isEqualTo(bBefore);

            ServerProbe both = new ServerProbe(URI.create("http://127.0.0.1:" + a.server.port()),
                    List.of(URI.create(metrics(a)), URI.create(metrics(b))), TestServer.API_KEY, -1);
            ServerProbe onlyA = new ServerProbe(URI.create("http://127.0.0.1:" + a.server.port()),
                    TestServer.API_KEY, -1);
            assertThat(both.nodes()).isEqualTo(2);
            assertThat(ServerCounts.read(both).messagesIn())
                    .isEqualTo(a.server.stats().messagesIn.sum() + b.server.stats().messagesIn.sum());
            assertThat(ServerCounts.read(onlyA).messagesIn()).isEqualTo(a.server.stats().messagesIn.sum());
        }
    }

    @Test
    void aNodeThatCannotBeReadLeavesTheCountsUnknown() throws Exception {
        try (TestServer a = TestServer.start()) {
            int deadPort;
            try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                deadPort = socket.getLocalPort();
            }
            TierResult tier = a.scenario(new Throughput(), "--tiers", "5", "--duration", "300ms", "--rate", "20",
                    "--metrics-url", metrics(a), "--metrics-url", "http://127.0.0.1:" + deadPort + "/metrics")
                    .run().tiers().getFirst();

            assertThat(tier.counter(Metric.SENT)).isPositive();
            // Not a figure for part of the cluster: no server count at all.
            assertThat(tier.counter(Metric.SERVER_RECEIVED)).isEqualTo(-1);
            assertThat(tier.counter(Metric.LOST)).isEqualTo(-1);
        }
    }
}
