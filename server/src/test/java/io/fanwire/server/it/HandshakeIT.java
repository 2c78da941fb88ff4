package io.fanwire.server.it;

import static io.fanwire.server.testing.RawClient.upgradeRequest;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.common.jwt.JwtAlgorithm;
import io.fanwire.common.jwt.JwtKeys;
import io.fanwire.common.jwt.JwtVerifierConfig;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.ServerConfig.AuthConfig;
import io.fanwire.server.testing.ControlGroup;
import io.fanwire.server.testing.Exposition;
import io.fanwire.server.testing.RawClient;
import io.fanwire.server.testing.RawClient.HttpAnswer;
import io.fanwire.server.testing.TestServers;

/**
 * The handshake as a client sees it on the wire: each token carrier, each way a token can be wrong, and
 * each refusal before the upgrade, with the exact HTTP status and JSON body.
 */
class HandshakeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static FanwireServer server;

    @BeforeAll
    static void start() {
        server = TestServers.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A body of a test that may throw. */
    @FunctionalInterface
    private interface Faults {
        void run() throws Exception;
    }

    /**
     * Runs {@code faults} while three healthy subscribers get publications before and after, then checks that
     * they received every one in order: refusals before the upgrade must not disturb established connections.
     */
    private static void withControlGroup(Faults faults) throws Exception {
        try (ControlGroup control = ControlGroup.connect(server, "control", 3)) {
            control.publish(5);
            faults.run();
            control.publish(5);
            control.assertReceivedEverythingInOrder();
        }
    }

    private static HttpAnswer upgrade(String path, String... headers) {
        try (RawClient client = new RawClient(server.port())) {
            return client.request(upgradeRequest(path, headers));
        }
    }

    private static JsonNode body(HttpAnswer answer) throws Exception {
        assertThat(answer.headers().get("content-type")).isEqualTo("application/json");
        return JSON.readTree(answer.body());
    }

    @Test
    void bearerHeaderUpgrades() {
        HttpAnswer answer = upgrade("/ws", "Authorization: Bearer " + TestServers.token("alice"));
        assertThat(answer.status()).isEqualTo(101);
        assertThat(answer.headers()).containsKey("sec-websocket-accept");
    }

    @Test
    void cookieUpgrades() {
        assertThat(upgrade("/ws", "Cookie: theme=dark; access_token=" + TestServers.token("alice")).status())
                .isEqualTo(101);
    }

    @Test
    void subprotocolUpgradesAndNeverEchoesTheToken() {
        String token = TestServers.token("alice");
        HttpAnswer answer = upgrade("/ws", "Sec-WebSocket-Protocol: fanwire.v1, bearer." + token);
        assertThat(answer.status()).isEqualTo(101);
        assertThat(answer.headers().get("sec-websocket-protocol")).isEqualTo("fanwire.v1");
        assertThat(answer.headers().values()).noneMatch(v -> v.contains(token));
    }

    @Test
    void cookieTokensFromAnotherSitesPageAreRefused() throws Exception {
        String cookie = "Cookie: access_token=" + TestServers.token("alice");
        HttpAnswer foreign = upgrade("/ws", cookie, "Origin: https://evil.example");
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(body(foreign).path("code").asText()).isEqualTo("FORBIDDEN");
        assertThat(upgrade("/ws", cookie, "Origin: http://127.0.0.1").status()).isEqualTo(101);
        assertThat(upgrade("/ws", "Authorization: Bearer " + TestServers.token("alice"), "Origin: https://evil.example")
                .status()).as("a header token is not sent by browsers on their own").isEqualTo(101);
    }

    @Test
    void anOriginAllowListRefusesOtherOrigins() throws Exception {
        try (FanwireServer listed = TestServers.start(c -> c.auth(AuthConfig.jwt(JwtVerifierConfig.builder(
                JwtAlgorithm.HS256, JwtKeys.hmacKey(JwtAlgorithm.HS256, TestServers.SECRET)).build())
                .withAllowedOrigins(java.util.List.of("https://app.example"))))) {
            try (ControlGroup control = ControlGroup.connect(listed, "control", 3)) {
                control.publish(5);
                String bearer = "Authorization: Bearer " + TestServers.token("alice");
                try (RawClient client = new RawClient(listed.port())) {
                    assertThat(client.request(upgradeRequest("/ws", bearer, "Origin: https://app.example")).status())
                            .isEqualTo(101);
                }
                try (RawClient client = new RawClient(listed.port())) {
                    HttpAnswer other = client.request(upgradeRequest("/ws", bearer,
                            "Origin: https://app.example.evil"));
                    assertThat(other.status()).isEqualTo(403);
                    assertThat(body(other).path("code").asText()).isEqualTo("FORBIDDEN");
                }
                try (RawClient client = new RawClient(listed.port())) {
                    assertThat(client.request(upgradeRequest("/ws", bearer)).status()).as("no Origin: not a browser")
                            .isEqualTo(101);
                }
                assertThat(listed.stats().handshakesRejected.get("403_origin")).isEqualTo(1);
                control.publish(5);
                control.assertReceivedEverythingInOrder();
            }
        }
    }

    @Test
    void wseAliasPathUpgrades() {
        assertThat(upgrade("/wse", "Authorization: Bearer " + TestServers.token("alice")).status()).isEqualTo(101);
    }

    @Test
    void queryTokenIsOffByDefault() throws Exception {
        HttpAnswer answer = upgrade("/ws?token=" + TestServers.token("alice"));
        assertThat(answer.status()).isEqualTo(401);
        assertThat(body(answer).path("code").asText()).isEqualTo("AUTH_REQUIRED");
    }

    @Test
    void queryTokenWorksWhenEnabled() {
        try (FanwireServer withQuery = TestServers.start(c -> c.auth(new AuthConfig(
                JwtVerifierConfig.builder(JwtAlgorithm.HS256, JwtKeys.hmacKey(JwtAlgorithm.HS256, TestServers.SECRET))
                        .build(), AuthConfig.DEFAULT_COOKIE_NAME, true, AuthConfig.DEFAULT_SUBPROTOCOL)));
             RawClient client = new RawClient(withQuery.port())) {
            HttpAnswer answer = client.request(upgradeRequest("/ws?token=" + TestServers.token("alice")));
            assertThat(answer.status()).isEqualTo(101);
        }
    }

    @Test
    void missingTokenIs401AuthRequired() throws Exception {
        withControlGroup(() -> {
            HttpAnswer answer = upgrade("/ws");
            assertThat(answer.status()).isEqualTo(401);
            assertThat(body(answer).path("code").asText()).isEqualTo("AUTH_REQUIRED");
            assertThat(body(answer).path("message").asText()).isNotBlank();
            assertThat(server.stats().authFailures.get("missing")).isPositive();
        });
    }

    @Test
    void placeholderCookieValuesCountAsAbsent() throws Exception {
        for (String value : new String[] {"undefined", "null", ""}) {
            HttpAnswer answer = upgrade("/ws", "Cookie: access_token=" + value);
            assertThat(answer.status()).isEqualTo(401);
            assertThat(body(answer).path("code").asText()).isEqualTo("AUTH_REQUIRED");
        }
    }

    @Test
    void badTokensAre401AuthFailedWithTheirReasonCounted() throws Exception {
        withControlGroup(() -> {
            String valid = TestServers.token("alice");
            String[] parts = valid.split("\\.");
            String otherKeyToken = new io.fanwire.common.jwt.JwtMinter(JwtAlgorithm.HS256,
                    JwtKeys.hmacKey(JwtAlgorithm.HS256, "another-secret-0123456789-abcdefghijkl"),
                    java.time.Clock.systemUTC())
                    .mint("alice", Duration.ofHours(1));
            Map<String, String> cases = Map.of(
                    "garbage", "not-a-jwt",
                    "stripped signature", parts[0] + "." + parts[1] + ".",
                    "wrong key", otherKeyToken,
                    "alg none", unsigned("{\"alg\":\"none\"}", "{\"sub\":\"alice\",\"exp\":" + (now() + 3600) + "}"),
                    "expired", TestServers.token("alice", Duration.ofSeconds(-120), Map.of()),
                    "not yet valid", TestServers.token("alice", Duration.ofHours(1), Map.of("nbf", now() + 600)),
                    "oversize", TestServers.token("alice", Duration.ofHours(1), Map.of("pad", "x".repeat(9000))));
            for (Map.Entry<String, String> c : cases.entrySet()) {
                HttpAnswer answer = upgrade("/ws", "Authorization: Bearer " + c.getValue());
                assertThat(answer.status()).as(c.getKey()).isEqualTo(401);
                assertThat(body(answer).path("code").asText()).as(c.getKey()).isEqualTo("AUTH_FAILED");
                assertThat(answer.headers().get("www-authenticate")).as(c.getKey()).isEqualTo("Bearer");
            }
            assertThat(server.stats().authFailures.get("expired")).isPositive();
            assertThat(server.stats().authFailures.get("not_yet_valid")).isPositive();
            assertThat(server.stats().authFailures.get("too_large")).isPositive();
        });
    }

    @Test
    void hs256SignedWithTheRsaPublicKeyIsRefusedByAnRs256Server() throws Exception {
        KeyPair pair = JwtKeys.generateKeyPair(JwtAlgorithm.RS256);
        try (FanwireServer rsa = TestServers.start(c -> c.auth(AuthConfig.jwt(
                JwtVerifierConfig.builder(JwtAlgorithm.RS256, pair.getPublic()).build())))) {
            byte[] publicKeyBytes = pair.getPublic().getEncoded();
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(publicKeyBytes, "HmacSHA256"));
            String signingInput = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "."
                    + b64("{\"sub\":\"mallory\",\"exp\":" + (now() + 3600) + "}");
            String forged = signingInput + "." + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
            try (RawClient client = new RawClient(rsa.port())) {
                HttpAnswer answer = client.request(upgradeRequest("/ws", "Authorization: Bearer " + forged));
                assertThat(answer.status()).isEqualTo(401);
                assertThat(body(answer).path("code").asText()).isEqualTo("AUTH_FAILED");
            }
            assertThat(rsa.stats().authFailures.get("wrong_algorithm")).isEqualTo(1);
        }
    }

    @Test
    void refusalsBeforeTheUpgrade() throws Exception {
        withControlGroup(() -> {
            Exposition before = Exposition.scrape(server.port());
            try (RawClient client = new RawClient(server.port())) {
                HttpAnswer post = client.request("POST /ws HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
                assertThat(post.status()).isEqualTo(405);
                assertThat(post.headers().get("allow")).isEqualTo("GET");
            }
            try (RawClient client = new RawClient(server.port())) {
                HttpAnswer plain = client.request("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(plain.status()).isEqualTo(400);
            }
            String v12 = upgradeRequest("/ws", "Authorization: Bearer " + TestServers.token("alice"))
                    .replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 12");
            try (RawClient client = new RawClient(server.port())) {
                HttpAnswer answer = client.request(v12);
                assertThat(answer.status()).isEqualTo(426);
                assertThat(answer.headers().get("sec-websocket-version")).isEqualTo("13");
            }
            // Each refusal is counted before its answer is written.
            Exposition after = Exposition.scrape(server.port());
            assertThat(rejected(before, after, "405", "method")).isEqualTo(1);
            assertThat(rejected(before, after, "400", "not_upgrade")).isEqualTo(1);
            assertThat(rejected(before, after, "426", "version")).isEqualTo(1);
            assertThat(after.sum("fanwire_connections_accepted_total"))
                    .isEqualTo(before.sum("fanwire_connections_accepted_total"));
        });
    }

    @Test
    void oversizedRequestLineAndHeadersAreRefused() throws Exception {
        withControlGroup(() -> {
            Exposition before = Exposition.scrape(server.port());
            try (RawClient client = new RawClient(server.port())) {
                HttpAnswer answer = client.request("GET /ws?" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(answer.status()).isEqualTo(414);
            }
            try (RawClient client = new RawClient(server.port())) {
                HttpAnswer answer = client.request(upgradeRequest("/ws", "X-Filler: " + "b".repeat(17000)));
                assertThat(answer.status()).isEqualTo(431);
            }
            Exposition after = Exposition.scrape(server.port());
            assertThat(rejected(before, after, "414", "malformed")).isEqualTo(1);
            assertThat(rejected(before, after, "431", "malformed")).isEqualTo(1);
        });
    }

    /** How much {@code fanwire_connections_rejected_total} of {@code status} and {@code reason} moved. */
    private static double rejected(Exposition before, Exposition after, String status, String reason) {
        String series = "fanwire_connections_rejected_total{reason=\"" + reason + "\",status=\"" + status + "\"}";
        return after.value(series).orElse(0) - before.value(series).orElse(0);
    }

    @Test
    void oversizedBodiesGetAJson413OnTheMainPort() throws Exception {
        try (RawClient client = new RawClient(server.port())) {
            HttpAnswer answer = client.request("POST /api/publish HTTP/1.1\r\nHost: x\r\nX-API-Key: "
                    + TestServers.API_KEY + "\r\nContent-Type: application/json\r\nContent-Length: 70000\r\n\r\n");
            assertThat(answer.status()).isEqualTo(413);
            assertThat(body(answer).path("code").asText()).isEqualTo("MESSAGE_TOO_LARGE");
        }
    }

    @Test
    void healthAndUnknownRoutes() {
        try (RawClient client = new RawClient(server.port())) {
            assertThat(client.request("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
            assertThat(client.request("GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
            assertThat(client.request("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(404);
        }
    }

    @Test
    void infoNeedsTheApiKey() throws Exception {
        try (RawClient client = new RawClient(server.port())) {
            assertThat(client.request("GET /api/info HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(401);
            assertThat(client.request("GET /api/info HTTP/1.1\r\nHost: x\r\nX-API-Key: wrong-key-0123456789\r\n\r\n")
                    .status()).isEqualTo(401);
            HttpAnswer info = client.request("GET /api/info HTTP/1.1\r\nHost: x\r\nX-API-Key: "
                    + TestServers.API_KEY + "\r\n\r\n");
            assertThat(info.status()).isEqualTo(200);
            JsonNode json = JSON.readTree(info.body());
            assertThat(json.path("node_id").asText()).isNotEmpty();
            assertThat(json.path("connections").has("active")).isTrue();
        }
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String unsigned(String header, String payload) {
        return b64(header) + "." + b64(payload) + ".";
    }
}
