package io.fanwire.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;

class ConnectStormIT {

    @Test
    void everyConnectionOfEveryTierReachesServerReady() throws Exception {
        try (TestServer server = TestServer.start()) {
            ScenarioResult result = server.scenario(new ConnectStorm(), "--tiers", "20,100", "--batch-size", "50").run();

            assertThat(result.tiers()).hasSize(2);
            TierResult big = result.tiers().get(1);
            assertThat(big.counter(Metric.CONNECTED)).isEqualTo(100);
            assertThat(big.counter(Metric.CONNECT_FAILED)).isZero();
            assertThat(big.latencies().get(Metric.HANDSHAKE).count()).isEqualTo(100);
            assertThat(big.rates().get(Metric.CONNECTS_PER_S)).isPositive();
            assertThat(big.server()).isNotNull();
            assertThat(big.server().rssAfterBytes()).isPositive();
            assertThat(server.server.stats().connectionsAccepted.sum()).isEqualTo(120);
        }
    }

    @Test
    void keptConnectionsAreToppedUpTierByTier() throws Exception {
        try (TestServer server = TestServer.start()) {
            ScenarioResult result = server.scenario(new ConnectStorm(), "--tiers", "10,30", "--keep-connections").run();

            assertThat(result.tiers().get(0).counter(Metric.CONNECTED)).isEqualTo(10);
            assertThat(result.tiers().get(1).counter(Metric.CONNECTED)).isEqualTo(20);
            assertThat(server.server.stats().connectionsAccepted.sum()).isEqualTo(30);
        }
    }

    @Test
    void sourceAddressesAreBoundRoundRobin() throws Exception {
        try (TestServer server = TestServer.start()) {
            ScenarioResult result = server.scenario(new ConnectStorm(), "--tiers", "12",
                    "--source-addresses", "127.0.0.2-127.0.0.4").run();

            assertThat(result.tiers().getFirst().counter(Metric.CONNECTED)).isEqualTo(12);
            assertThat(BaseScenario.awaitCondition(() -> server.remoteHosts.size() == 3, java.time.Duration.ofSeconds(5)))
                    .isTrue();
            assertThat(server.remoteHosts).containsExactlyInAnyOrder("127.0.0.2", "127.0.0.3", "127.0.0.4");
        }
        assertThat(CommonOptions.addresses("127.0.0.1-127.0.0.3,127.0.0.9")).extracting(a -> a.getHostAddress())
                .containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.9");
    }

    @Test
    void eachTokenCarrierIsAccepted() throws Exception {
        try (TestServer server = TestServer.start()) {
            for (String carrier : new String[] {"header", "cookie", "subprotocol"}) {
                ScenarioResult result = server.scenario(new ConnectStorm(), "--tiers", "5",
                        "--token-carrier", carrier, "--format", "msgpack").run();
                assertThat(result.tiers().getFirst().counter(Metric.CONNECTED)).as(carrier).isEqualTo(5);
            }
        }
    }

    @Test
    void refusedUpgradesAreCountedByStatus() throws Exception {
        try (TestServer server = TestServer.start()) {
            ScenarioResult result = server.scenario(new ConnectStorm(), "--tiers", "10",
                    "--secret", "another-secret-0123456789-abcdefghijklmnop").run();

            TierResult tier = result.tiers().getFirst();
            assertThat(tier.counter(Metric.CONNECTED)).isZero();
            assertThat(tier.counter(Metric.CONNECT_FAILED)).isEqualTo(10);
            assertThat(tier.counter(Metric.CONNECT_FAILED + ".http_401")).isEqualTo(10);
        }
    }
}
