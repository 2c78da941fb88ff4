package io.fanwire.server.it;

import static io.fanwire.server.testing.PubSubMessages.numbered;
import static io.fanwire.server.testing.PubSubMessages.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fanwire.common.jwt.JwtAlgorithm;
import io.fanwire.common.jwt.JwtKeys;
import io.fanwire.common.jwt.JwtVerifierConfig;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.ServerConfig.AuthConfig;
import io.fanwire.server.ServerConfig.JwksConfig;
import io.fanwire.server.testing.ApiClient;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.Exposition;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.JwksServer;
import io.fanwire.server.testing.RawClient;
import io.fanwire.server.testing.TestServers;

/**
 * A server that takes its keys from a JWKS endpoint on 127.0.0.1 (RS256 and ES256, no configured key): tokens of
 * published keys connect, a rotated key is learned from the first token that names it, a withdrawn key stops
 * working, made-up kids never flood the endpoint, and a connected client is never disturbed by any of it.
 */
class JwksIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private JwksServer jwks;
    private FanwireServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (jwks != null) {
            jwks.close();
        }
    }

    private void start(JwtAlgorithm algorithm, Duration minRefresh) {
        server = TestServers.start(c -> c.auth(AuthConfig.jwt(JwtVerifierConfig.builder(algorithm, null).build(),
                new JwksConfig(jwks.url(), Duration.ofMinutes(5), minRefresh, Duration.ofSeconds(5)))));
    }

    private int upgrade(String token) {
        try (RawClient client = new RawClient(server.port())) {
            return client.request(RawClient.upgradeRequest("/ws", "Authorization: Bearer " + token)).status();
        }
    }

    private JdkWsClient connected(String token) {
        JdkWsClient client = JdkWsClient.connect(server.port(), token);
        assertThat(client.nextJson().path("t").asText()).isEqualTo("server_ready");
        return client;
    }

    @Test
    void learnsARotatedKeyFromItsFirstTokenAndForgetsAWithdrawnOne() {
        KeyPair first = JwtKeys.generateKeyPair(JwtAlgorithm.RS256);
        KeyPair second = JwtKeys.generateKeyPair(JwtAlgorithm.RS256);
        jwks = new JwksServer(JwtAlgorithm.RS256).publish("k1", first);
        start(JwtAlgorithm.RS256, Duration.ofMillis(200));

        try (JdkWsClient control = connected(jwks.token("control", first, "k1", Duration.ofHours(1)))) {
            control.sendText(subscribe("news"));
            control.nextOfType("subscription_update");

            String rotated = jwks.token("alice", second, "k2", Duration.ofHours(1));
            assertThat(upgrade(rotated)).isEqualTo(401);
            jwks.publish("k2", second);
            // The refused token asked for a refresh; the next ones find the key, without a fetch per token.
            Await.until("the rotated key to be accepted", TIMEOUT, () -> upgrade(rotated) == 101);
            try (JdkWsClient alice = connected(rotated)) {
                alice.sendText("{\"t\":\"ping\",\"p\":{\"timestamp\":7}}");
                assertThat(alice.nextOfType("PONG").path("p").path("client_timestamp").asLong()).isEqualTo(7);
            }

            jwks.withdraw("k1");
            String old = jwks.token("bob", first, "k1", Duration.ofHours(1));
            Await.until("the withdrawn key to be refused", TIMEOUT, () -> {
                // A token with a kid the server does not know asks for the refresh that drops k1.
                upgrade(jwks.token("carol", second, "k3", Duration.ofHours(1)));
                return upgrade(old) == 401;
            });

            server.publish("news", numbered("chat_message", 1));
            assertThat(control.nextOfType("chat_message").path("p").path("n").asInt()).isEqualTo(1);
        }
        Exposition metrics = Exposition.scrape(server.port());
        assertThat(metrics.value("fanwire_auth_failures_total{reason=\"unknown_key\"}").orElseThrow()).isPositive();
        assertThat(metrics.value("fanwire_jwks_fetches_total{result=\"ok\"}").orElseThrow()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void madeUpKidsAreRefusedWithoutFloodingTheEndpoint() {
        KeyPair key = JwtKeys.generateKeyPair(JwtAlgorithm.ES256);
        jwks = new JwksServer(JwtAlgorithm.ES256).publish("ec-1", key);
        start(JwtAlgorithm.ES256, Duration.ofMinutes(1));

        try (JdkWsClient control = connected(jwks.token("control", key, "ec-1", Duration.ofHours(1)))) {
            for (int i = 0; i < 50; i++) {
                assertThat(upgrade(jwks.token("mallory", key, "made-up-" + i, Duration.ofHours(1)))).isEqualTo(401);
            }
            // The first fetch at start, and one for the first made-up kid.
            Await.until("the refresh asked for", TIMEOUT, () -> server.stats().jwksFetches.total() == 2);
            assertThat(jwks.fetches()).isEqualTo(2);
            assertThat(server.stats().authFailures.get("unknown_key")).isEqualTo(50);

            control.sendText("{\"t\":\"ping\",\"p\":{\"timestamp\":1}}");
            assertThat(control.nextOfType("PONG").path("p").path("client_timestamp").asLong()).isEqualTo(1);
        }
    }

    @Test
    void notReadyWhileNoKeyWasFetchedThenReady() {
        KeyPair key = JwtKeys.generateKeyPair(JwtAlgorithm.RS256);
        jwks = new JwksServer(JwtAlgorithm.RS256).publish("k1", key);
        jwks.status(500);
        start(JwtAlgorithm.RS256, Duration.ofMillis(50));

        ApiClient.Answer ready = ApiClient.withHeaders(server.port()).get("/health/ready");
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.json().path("status").asText()).isEqualTo("not_ready");
        assertThat(ready.json().path("reason").asText()).isEqualTo("no_keys");
        String token = jwks.token("alice", key, "k1", Duration.ofHours(1));
        assertThat(upgrade(token)).isEqualTo(401);

        jwks.status(200);
        // Each refused token asks for a fetch (at most one per 50 ms); the first that succeeds makes it ready.
        Await.until("a successful fetch", TIMEOUT, () -> upgrade(token) == 101);
        assertThat(ApiClient.withHeaders(server.port()).get("/health/ready").status()).isEqualTo(200);
    }
}
