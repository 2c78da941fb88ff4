package io.fanwire.server.it;

import static io.fanwire.server.testing.PubSubMessages.numbered;
import static io.fanwire.server.testing.PubSubMessages.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.common.jwt.JwtAlgorithm;
import io.fanwire.common.jwt.JwtKeys;
import io.fanwire.common.jwt.JwtVerifierConfig;
import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.ServerConfig.AuthConfig;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.Exposition;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.TestServers;
import io.fanwire.server.testing.WsFleet;

/**
 * Tokens that expire while their connection is open (docs/PROTOCOL.md §4.8): {@code token_expiring}, then 4401
 * without a refresh; a refreshed connection lives on under the new token's ACL; a refresh for another user is
 * refused. A control client with a long-lived token stays connected and receives everything throughout.
 */
class TokenLifetimeIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** Short tokens expire after this; the warning comes {@link #WARNING} before. */
    private static final Duration SHORT = Duration.ofSeconds(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WARNING = Duration.ofSeconds(2);

    private FanwireServer server;
    private WsFleet fleet;
    private WsFleet.Client control;

    @BeforeEach
    void start() {
        // No leeway, so that 4401 comes at exp (within the heartbeat's one-second tick).
        server = TestServers.start(c -> c.auth(AuthConfig.jwt(JwtVerifierConfig.builder(JwtAlgorithm.HS256,
                        JwtKeys.hmacKey(JwtAlgorithm.HS256, TestServers.SECRET)).leeway(Duration.ZERO).build())
                .withTokenExpiryWarning(WARNING)));
        fleet = new WsFleet(server.port());
        control = fleet.connect(TestServers.token("control"));
        control.nextOfType("server_ready");
        control.sendText(subscribe("news.control"));
        control.nextOfType("subscription_update");
    }

    @AfterEach
    void stop() {
        fleet.close();
        server.close();
    }

    private static Map<String, ?> topics(String... allow) {
        return Map.of("fanwire_topics", Map.of("allow", List.of(allow)));
    }

    /** Publishes to the control client's topic and checks that it arrives, and that the client is still there. */
    private void assertControlClientServed(int n) {
        server.publish("news.control", numbered("chat_message", n));
        JsonNode got = control.nextOfType("chat_message");
        assertThat(got.path("p").path("n").asInt()).isEqualTo(n);
        assertThat(control.isClosed()).isFalse();
    }

    /** The {@code exp} claim the token was minted with, read from its payload. */
    private static Instant exp(String token) {
        String payload = token.substring(token.indexOf('.') + 1, token.lastIndexOf('.'));
        try {
            return Instant.ofEpochSecond(JSON.readTree(Base64.getUrlDecoder().decode(payload)).path("exp").asLong());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void anUnrefreshedTokenIsWarnedThenClosedWith4401AndARefreshForAnotherUserIsRefused() {
        String token = TestServers.token("alice", SHORT, Map.of());
        try (JdkWsClient victim = JdkWsClient.connect(server.port(), token)) {
            assertThat(victim.nextJson().path("t").asText()).isEqualTo("server_ready");
            victim.sendText("{\"t\":\"refresh\",\"p\":{\"token\":\"" + TestServers.token("mallory") + "\"},\"cid\":\"r1\"}");
            JsonNode refused = victim.nextOfType("error");
            assertThat(refused.path("p").path("code").asText()).isEqualTo("AUTH_FAILED");
            assertThat(refused.path("cid").asText()).isEqualTo("r1");

            JsonNode expiring = victim.nextOfType("token_expiring");
            Instant expiresAt = Instant.parse(expiring.path("p").path("expires_at").asText());
            assertThat(expiresAt).isEqualTo(exp(token));

            assertThat(victim.awaitCloseCode(TIMEOUT)).isEqualTo(CloseCodes.AUTH_FAILED);
            assertThat(victim.closeReason()).isEqualTo("token expired");
            assertThat(Instant.now()).isAfterOrEqualTo(expiresAt);
        }
        assertControlClientServed(1);
        Await.count("token expiry closes", TIMEOUT, server.stats().tokenExpiryCloses::sum, 1);
        Exposition metrics = Exposition.scrape(server.port());
        assertThat(metrics.value("fanwire_token_expiry_closes_total").orElseThrow()).isEqualTo(1);
        assertThat(metrics.value("fanwire_disconnects_total{code=\"auth_failed\"}").orElseThrow()).isEqualTo(1);
        assertThat(metrics.value("fanwire_token_refreshes_total{result=\"wrong_subject\"}").orElseThrow()).isEqualTo(1);
        assertThat(server.connectionCount()).isEqualTo(1);
    }

    @Test
    void aRefreshedConnectionOutlivesItsFirstTokenAndFollowsTheNewAcl() {
        try (WsFleet.Client alice = fleet.connect(TestServers.token("alice", SHORT, topics("news.*", "chat")))) {
            alice.nextOfType("server_ready");
            alice.sendText(subscribe("chat", "news.eu"));
            assertThat(alice.nextOfType("subscription_update").path("p").path("success_topics").size()).isEqualTo(2);

            Instant firstExpiry = Instant.parse(alice.nextOfType("token_expiring").path("p").path("expires_at").asText());
            String fresh = TestServers.token("alice", Duration.ofHours(1), topics("news.*"));
            alice.sendText("{\"t\":\"refresh\",\"p\":{\"token\":\"" + fresh + "\"},\"cid\":\"r1\"}");
            JsonNode ok = alice.nextOfType("refresh_ok");
            assertThat(ok.path("cid").asText()).isEqualTo("r1");
            assertThat(Instant.parse(ok.path("p").path("expires_at").asText())).isEqualTo(exp(fresh));
            // The new token no longer allows chat: that subscription ends, and the client is told.
            JsonNode ended = alice.nextOfType("subscription_update").path("p");
            assertThat(ended.path("failed_topics").get(0).path("topic").asText()).isEqualTo("chat");
            assertThat(ended.path("failed_topics").get(0).path("code").asText()).isEqualTo("FORBIDDEN");

            // Past the first token's expiry and the heartbeat's tick: the connection is still served.
            Instant past = firstExpiry.plusSeconds(2);
            Await.until("the first token's expiry to pass", TIMEOUT, () -> Instant.now().isAfter(past));
            server.publish("chat", numbered("chat_message", 1));
            server.publish("news.eu", numbered("chat_message", 2));
            assertThat(alice.nextOfType("chat_message").path("tp").asText()).isEqualTo("news.eu");
            alice.sendText(subscribe("chat"));
            assertThat(alice.nextOfType("subscription_update").path("p").path("failed_topics").get(0)
                    .path("code").asText()).isEqualTo("FORBIDDEN");
            assertThat(alice.isClosed()).isFalse();
        }
        assertControlClientServed(1);
        Exposition metrics = Exposition.scrape(server.port());
        assertThat(metrics.value("fanwire_token_refreshes_total{result=\"ok\"}").orElseThrow()).isEqualTo(1);
        assertThat(metrics.has("fanwire_token_expiry_closes_total")).isTrue();
        assertThat(metrics.value("fanwire_token_expiry_closes_total").orElseThrow()).isZero();
    }
}
