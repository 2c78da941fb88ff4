package io.fanwire.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.ServerConfig.LimitsConfig;
import io.fanwire.server.ServerConfig.ShutdownConfig;
import io.fanwire.server.drain.InboundEvent;
import io.fanwire.server.testing.ApiClient;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.Exposition;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.RawClient;
import io.fanwire.server.testing.TestServers;

/**
 * The graceful drain of an embedded server ({@link FanwireServer#shutdownGracefully(Duration)} and
 * {@code POST /api/drain}) and the maximum connection lifetime, with real clients: readiness and upgrades answer
 * 503, clients are closed with 4300 and a jittered {@code retry_after_ms}, what they sent is processed or counted,
 * and the deadline closes the rest with 1001.
 */
class GracefulDrainIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shutdownGracefullyClosesEveryoneWith4300AndTheApplicationGetsWhatTheySent() throws Exception {
        int clients = 6;
        ShutdownConfig shutdown = new ShutdownConfig(TIMEOUT, 4, Duration.ofMillis(200), Duration.ofMillis(300));
        FanwireServer server = TestServers.start(c -> c.shutdown(shutdown));
        AtomicInteger messages = new AtomicInteger();
        AtomicBoolean appRunning = new AtomicBoolean(true);
        Thread app = Thread.ofPlatform().name("test-app").start(() -> {
            List<InboundEvent> batch = new ArrayList<>();
            while (appRunning.get()) {
                batch.clear();
                try {
                    server.drainTo(batch, 256, Duration.ofMillis(20));
                } catch (InterruptedException e) {
                    return;
                }
                batch.stream().filter(InboundEvent.Message.class::isInstance).forEach(ignored -> messages.incrementAndGet());
            }
        });
        List<JdkWsClient> connected = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("drained-" + i));
                connected.add(client);
                client.nextOfType("server_ready");
            }
            int port = server.port();
            server.shutdownGracefully(TIMEOUT);

            ApiClient.Answer ready = ApiClient.withHeaders(port).get("/health/ready");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json().path("reason").asText()).isEqualTo("draining");
            try (RawClient late = new RawClient(port)) {
                RawClient.HttpAnswer answer = late.request(RawClient.upgradeRequest("/ws",
                        "Authorization: Bearer " + TestServers.token("late")));
                assertThat(answer.status()).isEqualTo(503);
                assertThat(Integer.parseInt(answer.headers().get("retry-after"))).isBetween(1, 1);
            }
            Await.until("the scrape shows the drain under way", TIMEOUT, () -> {
                Exposition scrape = Exposition.scrape(port);
                return scrape.value("fanwire_shutdown_draining").orElse(0) == 1
                        && scrape.value("fanwire_shutdown_closes_total{code=\"draining\"}").orElse(0) >= 1
                        && scrape.value("fanwire_connections_rejected_total{reason=\"draining\",status=\"503\"}")
                                .orElse(0) == 1;
            });
            // Whoever is still open is served until its turn: what it sends reaches the application.
            int sent = 0;
            for (JdkWsClient client : connected) {
                try {
                    client.sendText("{\"t\":\"last_words\",\"p\":{}}");
                    sent++;
                } catch (RuntimeException closedAlready) {
                    // Its turn came first; nothing was sent.
                }
            }

            Set<Long> hints = new HashSet<>();
            for (JdkWsClient client : connected) {
                assertThat(client.awaitCloseCode(TIMEOUT)).isEqualTo(CloseCodes.DRAINING);
                JsonNode reason = JSON.readTree(client.closeReason());
                assertThat(reason.path("reason").asText()).isEqualTo("draining");
                long retryAfter = reason.path("retry_after_ms").asLong(-1);
                assertThat(retryAfter).isBetween(200L, 500L);
                hints.add(retryAfter);
            }
            assertThat(hints).as("jittered per connection").hasSizeGreaterThan(1);
            server.stopped().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(server.draining()).isFalse();
            int sentMessages = sent;
            Await.count("messages the application took", TIMEOUT, messages::get, sentMessages);
            assertThat(server.stats().shutdownCloses.get("draining")).isEqualTo(clients);
            assertThat(server.stats().shutdownCloses.get("going_away")).isZero();
            assertThat(server.stats().shutdownUnprocessedEvents.sum()).isZero();
        } finally {
            appRunning.set(false);
            app.join(TimeUnit.SECONDS.toMillis(5));
            connected.forEach(JdkWsClient::close);
            server.close();
        }
    }

    @Test
    void apiDrainAnswers202AndTheDeadlineClosesTheRestWith1001() throws Exception {
        int clients = 4;
        // One close a second and a 1.5 s deadline: two at most are closed with 4300, the rest at the deadline.
        ShutdownConfig shutdown = new ShutdownConfig(Duration.ofSeconds(30), 1, Duration.ofMillis(100), Duration.ZERO);
        try (FanwireServer server = TestServers.start(c -> c.shutdown(shutdown));
             FanwireServer otherNode = TestServers.start()) {
            List<JdkWsClient> connected = new ArrayList<>();
            try (JdkWsClient control = JdkWsClient.connect(otherNode.port(), TestServers.token("elsewhere"))) {
                control.nextOfType("server_ready");
                for (int i = 0; i < clients; i++) {
                    JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("api-drained-" + i));
                    connected.add(client);
                    client.nextOfType("server_ready");
                }
                int port = server.port();
                assertThat(ApiClient.withHeaders(port).post("/api/drain", "{}").status()).isEqualTo(401);
                assertThat(ApiClient.of(port).post("/api/drain", "{\"timeout_ms\":0}").status()).isEqualTo(400);
                assertThat(ApiClient.of(port).get("/api/drain").status()).isEqualTo(405);
                ApiClient.Answer answer = ApiClient.of(port).post("/api/drain", "{\"timeout_ms\":1500}");
                assertThat(answer.status()).isEqualTo(202);
                assertThat(answer.json().path("draining").asBoolean()).isTrue();
                assertThat(answer.json().path("connections").asInt()).isEqualTo(clients);
                assertThat(ApiClient.of(port).post("/api/drain", "").status()).as("joins the drain").isEqualTo(202);
                Await.until("the scrape counts a 4300 close", TIMEOUT, () -> Exposition.scrape(port)
                        .value("fanwire_shutdown_closes_total{code=\"draining\"}").orElse(0) >= 1);

                List<Integer> codes = new ArrayList<>();
                for (JdkWsClient client : connected) {
                    codes.add(client.awaitCloseCode(TIMEOUT));
                }
                assertThat(codes).contains(CloseCodes.DRAINING, CloseCodes.GOING_AWAY)
                        .allMatch(code -> code == CloseCodes.DRAINING || code == CloseCodes.GOING_AWAY);
                server.stopped().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(server.stats().shutdownCloses.get("going_away"))
                        .isEqualTo(codes.stream().filter(c -> c == CloseCodes.GOING_AWAY).count());
                // Nobody drained the queue: what the application never took is counted.
                assertThat(server.stats().shutdownUnprocessedEvents.sum()).isGreaterThanOrEqualTo(clients);

                // The other node goes on as before.
                assertThat(otherNode.sendToUser("elsewhere", Envelope.of("still_here", Envelope.newPayload()))).isEqualTo(1);
                control.nextOfType("still_here");
                assertThat(ApiClient.withHeaders(otherNode.port()).get("/health/ready").status()).isEqualTo(200);
            } finally {
                connected.forEach(JdkWsClient::close);
            }
        }
    }

    @Test
    void connectionsOlderThanTheirLifetimeAreClosedWith4300AndMayComeBack() throws Exception {
        LimitsConfig limits = LimitsConfig.DEFAULT.withMaxLifetime(Duration.ofMillis(600), Duration.ofMillis(200));
        ShutdownConfig shutdown = new ShutdownConfig(TIMEOUT, 100, Duration.ofMillis(50), Duration.ofMillis(50));
        try (FanwireServer server = TestServers.start(c -> c.limits(limits).shutdown(shutdown)
                .pingInterval(Duration.ofMillis(800)))) {
            List<JdkWsClient> aged = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("aged-" + i));
                    aged.add(client);
                    client.nextOfType("server_ready");
                }
                for (JdkWsClient client : aged) {
                    assertThat(client.awaitCloseCode(TIMEOUT)).isEqualTo(CloseCodes.DRAINING);
                    JsonNode reason = JSON.readTree(client.closeReason());
                    assertThat(reason.path("reason").asText()).isEqualTo("max_lifetime");
                    assertThat(reason.path("retry_after_ms").asLong()).isBetween(50L, 100L);
                }
                Await.until("the scrape counts both", TIMEOUT, () -> Exposition.scrape(server.port())
                        .value("fanwire_connections_lifetime_closes_total").orElse(0) >= 2);
                // The server stays ready and takes them back (the control: served as usual).
                assertThat(ApiClient.withHeaders(server.port()).get("/health/ready").status()).isEqualTo(200);
                try (JdkWsClient back = JdkWsClient.connect(server.port(), TestServers.token("aged-0"))) {
                    back.nextOfType("server_ready");
                    back.sendText("{\"t\":\"ping\",\"p\":{\"timestamp\":3}}");
                    assertThat(back.nextOfType("PONG").path("p").path("client_timestamp").asLong()).isEqualTo(3);
                }
            } finally {
                aged.forEach(JdkWsClient::close);
            }
        }
    }
}
