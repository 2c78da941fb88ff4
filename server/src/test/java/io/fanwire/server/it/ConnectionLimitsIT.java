package io.fanwire.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import io.fanwire.server.FanwireServer;
import io.fanwire.server.ServerConfig.LimitsConfig;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.Exposition;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.RawClient;
import io.fanwire.server.testing.RawClient.HttpAnswer;
import io.fanwire.server.testing.TestServers;

/**
 * Limits enforced before the upgrade, against a real server on loopback: the request deadline (slowloris), the
 * server's connection cap (503 + Retry-After), and connections and upgrade rate per client address (429). A second
 * client host is 127.0.0.2, which is on the loopback interface too. Each test checks the victim's answer, the
 * counter that moved, and that a control group of clients is served as usual.
 */
class ConnectionLimitsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String OTHER_HOST = "127.0.0.2";

    @Test
    void silentAndTricklingClientsAreClosedAtTheRequestDeadlineWhileOthersConnect() {
        try (FanwireServer server = TestServers.start(c -> c.limits(LimitsConfig.DEFAULT
                .withRequestTimeout(Duration.ofMillis(500))))) {
            try (RawClient silent = new RawClient(server.port());
                 RawClient trickling = new RawClient(server.port());
                 JdkWsClient control = JdkWsClient.connect(server.port(), TestServers.token("control"))) {
                control.nextOfType("server_ready");
                // Headers one byte at a time, 20 a second: never a complete request, always some progress.
                byte[] request = RawClient.upgradeRequest("/ws", "Authorization: Bearer " + TestServers.token("slow"))
                        .getBytes(StandardCharsets.ISO_8859_1);
                for (int i = 0; i < request.length - 2 && !trickling.hasInput(); i++) {
                    trickling.write(new byte[] {request[i]});
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                assertThat(trickling.hasInput()).as("answered before the request was complete").isTrue();
                HttpAnswer tricklingAnswer = trickling.readAnswer();
                assertThat(tricklingAnswer.status()).isEqualTo(408);
                assertThat(tricklingAnswer.body()).contains("REQUEST_TIMEOUT");
                assertThat(trickling.closedByServer()).isTrue();

                assertThat(silent.readAnswer().status()).isEqualTo(408);
                assertThat(silent.closedByServer()).isTrue();

                // The control group: connected before, still served; and a newcomer connects.
                control.sendText("{\"t\":\"ping\",\"p\":{\"timestamp\":1}}");
                assertThat(control.nextOfType("PONG").path("p").path("client_timestamp").asLong()).isEqualTo(1);
                try (JdkWsClient newcomer = JdkWsClient.connect(server.port(), TestServers.token("newcomer"))) {
                    newcomer.nextOfType("server_ready");
                }
                // A request that completes in time is served; idle after its response, the connection is closed quietly.
                try (RawClient health = new RawClient(server.port())) {
                    assertThat(health.request("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
                    assertThat(health.closedByServer()).isTrue();
                }
            }
            Await.until("the scrape counts the two refusals", TIMEOUT, () -> Exposition.scrape(server.port())
                    .value("fanwire_connections_rejected_total{reason=\"request_timeout\",status=\"408\"}")
                    .orElse(0) == 2);
            assertThat(server.stats().connectionsAccepted.sum()).isEqualTo(2);
        }
    }

    @Test
    void aServerAtItsCapAnswers503WithRetryAfterAndAdmitsAgainWhenOneLeaves() {
        try (FanwireServer server = TestServers.start(c -> c.limits(LimitsConfig.DEFAULT.withConnectionCaps(2, 0, 0)))) {
            JdkWsClient first = JdkWsClient.connect(server.port(), TestServers.token("first"));
            try (JdkWsClient second = JdkWsClient.connect(server.port(), TestServers.token("second"))) {
                first.nextOfType("server_ready");
                second.nextOfType("server_ready");
                try (RawClient victim = new RawClient(server.port())) {
                    HttpAnswer answer = victim.request(RawClient.upgradeRequest("/ws",
                            "Authorization: Bearer " + TestServers.token("third")));
                    assertThat(answer.status()).isEqualTo(503);
                    assertThat(answer.headers()).containsEntry("retry-after", "5");
                    assertThat(answer.body()).contains("UNAVAILABLE");
                    assertThat(victim.closedByServer()).isTrue();
                }
                // The control group is unaffected.
                second.sendText("{\"t\":\"ping\",\"p\":{\"timestamp\":2}}");
                assertThat(second.nextOfType("PONG").path("p").path("client_timestamp").asLong()).isEqualTo(2);
                assertThat(Exposition.scrape(server.port())
                        .value("fanwire_connections_rejected_total{reason=\"full\",status=\"503\"}")).hasValue(1);

                first.sendClose(1000, "bye");
                first.awaitCloseCode(TIMEOUT);
                first.close();
                Await.until("a place is free again", TIMEOUT, () -> {
                    try (RawClient next = new RawClient(server.port())) {
                        return next.request(RawClient.upgradeRequest("/ws",
                                "Authorization: Bearer " + TestServers.token("fourth"))).status() == 101;
                    }
                });
            }
        }
    }

    @Test
    void connectionsPerAddressAreCappedWith429AndOtherAddressesAreNotAffected() {
        try (FanwireServer server = TestServers.start(c -> c.limits(LimitsConfig.DEFAULT.withConnectionCaps(0, 2, 0)))) {
            List<RawClient> held = new ArrayList<>();
            List<JdkWsClient> control = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    RawClient client = new RawClient(server.port(), OTHER_HOST);
                    held.add(client);
                    assertThat(client.request(RawClient.upgradeRequest("/ws",
                            "Authorization: Bearer " + TestServers.token("far-" + i))).status()).isEqualTo(101);
                }
                try (RawClient victim = new RawClient(server.port(), OTHER_HOST)) {
                    HttpAnswer answer = victim.request(RawClient.upgradeRequest("/ws",
                            "Authorization: Bearer " + TestServers.token("far-victim")));
                    assertThat(answer.status()).isEqualTo(429);
                    assertThat(answer.headers()).containsEntry("retry-after", "1");
                    assertThat(answer.body()).contains("LIMIT_EXCEEDED");
                    assertThat(victim.closedByServer()).isTrue();
                }
                // 127.0.0.1 has its own two places, as if the other address did not exist.
                for (int i = 0; i < 2; i++) {
                    JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("near-" + i));
                    control.add(client);
                    client.nextOfType("server_ready");
                }
                assertThat(Exposition.scrape(server.port())
                        .value("fanwire_connections_rejected_total{reason=\"ip_connections\",status=\"429\"}"))
                        .hasValue(1);
                assertThat(server.connectionCount()).isEqualTo(4);
                for (JdkWsClient client : control) {
                    client.sendText("{\"t\":\"ping\",\"p\":{\"timestamp\":4}}");
                    assertThat(client.nextOfType("PONG").path("p").path("client_timestamp").asLong()).isEqualTo(4);
                }
            } finally {
                held.forEach(RawClient::close);
                control.forEach(JdkWsClient::close);
            }
        }
    }

    @Test
    void upgradesPerAddressAreRateLimitedWith429AndOtherAddressesAreNotAffected() {
        int rate = 3;
        try (FanwireServer server = TestServers.start(c -> c.limits(LimitsConfig.DEFAULT.withConnectionCaps(0, 0, rate)))) {
            int admitted = 0;
            HttpAnswer refused = null;
            // Faster than three a second, the burst runs out; bounded in case the machine is very slow.
            for (int attempt = 0; attempt < 50 && refused == null; attempt++) {
                try (RawClient client = new RawClient(server.port(), OTHER_HOST)) {
                    HttpAnswer answer = client.request(RawClient.upgradeRequest("/ws",
                            "Authorization: Bearer " + TestServers.token("hasty")));
                    if (answer.status() == 101) {
                        admitted++;
                    } else {
                        refused = answer;
                    }
                }
            }
            assertThat(refused).as("refused within 50 attempts").isNotNull();
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.headers()).containsEntry("retry-after", "1");
            assertThat(refused.body()).contains("RATE_LIMITED");
            assertThat(admitted).as("the burst").isGreaterThanOrEqualTo(rate);

            // The other address has its own bucket, full.
            for (int i = 0; i < rate; i++) {
                try (JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("calm-" + i))) {
                    client.nextOfType("server_ready");
                }
            }
            assertThat(Exposition.scrape(server.port())
                    .value("fanwire_connections_rejected_total{reason=\"ip_rate\",status=\"429\"}")).hasValue(1);
        }
    }
}
