package io.fanwire.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.common.codec.WireFormat;
import io.fanwire.common.jwt.JwtAlgorithm;
import io.fanwire.common.jwt.JwtKeySet;
import io.fanwire.common.jwt.JwtKeys;
import io.fanwire.common.jwt.JwtMinter;
import io.fanwire.common.jwt.JwtVerifier;
import io.fanwire.common.jwt.JwtVerifierConfig;
import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.common.protocol.Uuid7;
import io.fanwire.server.ServerConfig;
import io.fanwire.server.ServerConfig.AuthConfig;
import io.fanwire.server.ServerConfig.RateLimitConfig;
import io.fanwire.server.drain.ConnectionInfo;
import io.fanwire.server.drain.InboundEvent;
import io.fanwire.server.testing.EmbeddedServices;
import io.fanwire.server.testing.TestServers;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * A connection's abuse limits and token lifetime (docs/PROTOCOL.md §4.8, §6.2), on an embedded channel whose
 * clock the test moves: the message budget, the control-frame budget, {@code token_expiring}, 4401 and
 * {@code refresh}.
 */
class SessionLimitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private EmbeddedServices services;

    SessionLimitsTest() {
        channel.freezeTime();
    }

    @AfterEach
    void finish() {
        if (services != null) {
            services.heartbeat().stop();
        }
        // Every test reads and releases what it expects; anything left over is a frame nobody asked for.
        channel.close();
        assertThat(channel.finish()).isFalse();
    }

    /** Starts a connection of alice whose token expires at {@code expires}; takes server_ready and Connected. */
    private void connect(Consumer<ServerConfig.Builder> customizer, Instant expires) {
        ServerConfig.Builder config = TestServers.config();
        customizer.accept(config);
        start(EmbeddedServices.over(channel, config.build()), expires);
    }

    /** Starts a connection of alice on {@code embedded}; takes server_ready and Connected. */
    private void start(EmbeddedServices embedded, Instant expires) {
        services = embedded;
        services.heartbeat().start();
        ConnectionInfo info = new ConnectionInfo(Uuid7.next(), "alice", Map.of("sub", "alice"), null, Instant.now(),
                WireFormat.JSON);
        SessionHandler handler = SessionHandler.install(channel.pipeline(), services.sessions(), info, expires);
        handler.start();
        assertThat(texts()).singleElement().satisfies(r -> assertThat(r.path("t").asText()).isEqualTo("server_ready"));
        assertThat(services.drain()).hasSize(1);
    }

    private void connect(Consumer<ServerConfig.Builder> customizer) {
        connect(customizer, Instant.now().plus(Duration.ofHours(1)));
    }

    /** Moves the clock a second at a time, running the heartbeat's sweeps as a live loop would. */
    private void elapse(Duration duration) {
        for (long s = 0; s < duration.toSeconds(); s++) {
            channel.advanceTimeBy(1, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
        }
    }

    private void receive(String text) {
        channel.writeInbound(new TextWebSocketFrame(text));
    }

    /** Every text frame written so far, as JSON; stops at (and leaves) the first frame of another kind. */
    private List<JsonNode> texts() {
        List<JsonNode> out = new ArrayList<>();
        while (channel.outboundMessages().peek() instanceof TextWebSocketFrame) {
            TextWebSocketFrame frame = channel.readOutbound();
            try {
                out.add(JSON.readTree(ByteBufUtil.getBytes(frame.content())));
            } catch (IOException e) {
                throw new AssertionError("not JSON", e);
            } finally {
                frame.release();
            }
        }
        return out;
    }

    private static List<String> types(List<JsonNode> messages) {
        return messages.stream().map(m -> m.path("t").asText()).toList();
    }

    private CloseWebSocketFrame closeFrame() {
        Object msg = channel.readOutbound();
        assertThat(msg).isInstanceOf(CloseWebSocketFrame.class);
        return (CloseWebSocketFrame) msg;
    }

    private int applicationMessages() {
        return (int) services.drain().stream().filter(e -> e instanceof InboundEvent.Message).count();
    }

    @Test
    void warnsAt80PercentRefusesOverBudgetAndClosesPersistentAbuseWith1008() {
        connect(c -> c.rateLimit(RateLimitConfig.DEFAULT.withMessages(10, 1).withViolations(5, Duration.ofSeconds(10))));

        for (int i = 1; i <= 10; i++) {
            receive("{\"t\":\"chat\",\"p\":{\"n\":" + i + "}}");
        }
        // The 8th message leaves 2 of 10: 80 % used. One warning, not one per message.
        List<JsonNode> replies = texts();
        assertThat(types(replies)).containsExactly("rate_limit_warning");
        JsonNode warning = replies.get(0).path("p");
        assertThat(warning.path("limit").asInt()).isEqualTo(10);
        assertThat(warning.path("remaining").asInt()).isEqualTo(2);
        assertThat(warning.path("retry_after").asDouble()).isEqualTo(8.0);
        assertThat(warning.path("current_rate").asDouble()).isPositive();
        assertThat(applicationMessages()).isEqualTo(10);

        for (int i = 11; i <= 15; i++) {
            receive("{\"t\":\"chat\",\"p\":{\"n\":" + i + "},\"cid\":\"c" + i + "\"}");
        }
        replies = texts();
        assertThat(replies).hasSize(5).allSatisfy(error -> {
            assertThat(error.path("t").asText()).isEqualTo("error");
            assertThat(error.path("p").path("code").asText()).isEqualTo("RATE_LIMITED");
            assertThat(error.path("p").path("recoverable").asBoolean()).isTrue();
            assertThat(error.path("p").path("retry_after").asDouble()).isEqualTo(1.0);
        });
        assertThat(applicationMessages()).isZero();

        receive("{\"t\":\"chat\",\"p\":{\"n\":16}}");
        CloseWebSocketFrame close = closeFrame();
        assertThat(close.statusCode()).isEqualTo(CloseCodes.POLICY_VIOLATION);
        assertThat(close.reasonText()).isEqualTo("message rate limit exceeded");
        close.release();
        assertThat(services.stats().rateLimitedMessages.sum()).isEqualTo(6);
        assertThat(services.stats().rateLimitWarnings.sum()).isEqualTo(1);
        assertThat(services.stats().abuseCloses.get("message_rate")).isEqualTo(1);
        assertThat(services.stats().protocolErrors.get("RATE_LIMITED")).isEqualTo(5);
    }

    @Test
    void theBudgetRefillsAndWarnsAgainOnlyAfterTheWarningInterval() {
        connect(c -> c.rateLimit(RateLimitConfig.DEFAULT.withMessages(10, 2)));
        for (int i = 0; i < 10; i++) {
            receive("{\"t\":\"chat\"}");
        }
        assertThat(types(texts())).containsExactly("rate_limit_warning");
        receive("{\"t\":\"chat\"}");
        assertThat(types(texts())).containsExactly("error");

        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        // Four tokens back: still below the line, and the warning interval (1 s) has passed.
        receive("{\"t\":\"chat\"}");
        receive("{\"t\":\"chat\"}");
        assertThat(types(texts())).containsExactly("rate_limit_warning");
        assertThat(applicationMessages()).isEqualTo(12);
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void noLimitWhenSwitchedOffAndServerHelloAnnouncesTheBudget() {
        connect(c -> c.rateLimit(RateLimitConfig.UNLIMITED));
        receive("{\"t\":\"client_hello\",\"p\":{}}");
        JsonNode limits = texts().get(0).path("p").path("limits");
        assertThat(limits.path("rate_limit_capacity").asInt()).isZero();
        assertThat(limits.path("rate_limit_refill").asDouble()).isZero();
        for (int i = 0; i < 1000; i++) {
            receive("{\"t\":\"chat\"}");
        }
        assertThat(texts()).isEmpty();
        assertThat(applicationMessages()).isEqualTo(1000);
    }

    @Test
    void serverHelloAnnouncesTheConfiguredBudget() {
        connect(c -> { });
        receive("{\"t\":\"client_hello\",\"p\":{}}");
        JsonNode limits = texts().get(0).path("p").path("limits");
        assertThat(limits.path("rate_limit_capacity").asInt()).isEqualTo(RateLimitConfig.DEFAULT_MESSAGE_CAPACITY);
        assertThat(limits.path("rate_limit_refill").asDouble())
                .isEqualTo(RateLimitConfig.DEFAULT_MESSAGE_REFILL_PER_SECOND);
    }

    @Test
    void answersPingsWithinTheBudgetThenStopsAnsweringAndClosesAFloodWith1008() {
        connect(c -> c.rateLimit(RateLimitConfig.DEFAULT.withControlFrames(3, 1).withViolations(4, Duration.ofSeconds(10))));

        for (int i = 0; i < 7; i++) {
            channel.writeInbound(new PingWebSocketFrame(Unpooled.copiedBuffer("p" + i, StandardCharsets.UTF_8)));
        }
        for (int i = 0; i < 3; i++) {
            PongWebSocketFrame pong = channel.readOutbound();
            assertThat(pong.content().toString(StandardCharsets.UTF_8)).isEqualTo("p" + i);
            pong.release();
        }
        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(services.stats().controlFramesRefused.sum()).isEqualTo(4);

        // A second later one more ping fits the budget again.
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.writeInbound(new PingWebSocketFrame(Unpooled.copiedBuffer("late", StandardCharsets.UTF_8)));
        PongWebSocketFrame pong = channel.readOutbound();
        assertThat(pong.content().toString(StandardCharsets.UTF_8)).isEqualTo("late");
        pong.release();

        channel.writeInbound(new PingWebSocketFrame(Unpooled.EMPTY_BUFFER));
        CloseWebSocketFrame close = closeFrame();
        assertThat(close.statusCode()).isEqualTo(CloseCodes.POLICY_VIOLATION);
        assertThat(close.reasonText()).isEqualTo("control frame rate limit exceeded");
        close.release();
        assertThat(services.stats().abuseCloses.get("control_rate")).isEqualTo(1);
    }

    private static Consumer<ServerConfig.Builder> shortTokenLifetime() {
        return c -> c.auth(AuthConfig.jwt(JwtVerifierConfig.builder(JwtAlgorithm.HS256,
                        JwtKeys.hmacKey(JwtAlgorithm.HS256, TestServers.SECRET)).leeway(Duration.ofSeconds(2)).build())
                .withTokenExpiryWarning(Duration.ofSeconds(5)));
    }

    @Test
    void warnsBeforeTheTokenExpiresAndClosesWith4401AfterTheLeeway() {
        Instant expires = Instant.now().plusSeconds(10);
        connect(shortTokenLifetime(), expires);

        elapse(Duration.ofSeconds(4));
        assertThat(texts()).isEmpty();
        elapse(Duration.ofSeconds(2));
        List<JsonNode> warning = texts();
        assertThat(types(warning)).containsExactly("token_expiring");
        assertThat(warning.get(0).path("p").path("expires_at").asText()).startsWith(expires.toString().substring(0, 19));

        // exp + 2 s leeway = 12 s; nothing else before.
        elapse(Duration.ofSeconds(5));
        assertThat(channel.outboundMessages()).isEmpty();
        elapse(Duration.ofSeconds(2));
        CloseWebSocketFrame close = closeFrame();
        assertThat(close.statusCode()).isEqualTo(CloseCodes.AUTH_FAILED);
        assertThat(close.reasonText()).isEqualTo("token expired");
        close.release();
        channel.close();
        assertThat(services.stats().tokenExpiryCloses.sum()).isEqualTo(1);
    }

    @Test
    void aRefreshedConnectionOutlivesItsFirstToken() {
        connect(shortTokenLifetime(), Instant.now().plusSeconds(10));
        String fresh = TestServers.token("alice", Duration.ofHours(2), Map.of());

        receive("{\"t\":\"refresh\",\"p\":{\"token\":\"" + fresh + "\"},\"cid\":\"r1\"}");
        JsonNode ok = texts().get(0);
        assertThat(ok.path("t").asText()).isEqualTo("refresh_ok");
        assertThat(ok.path("cid").asText()).isEqualTo("r1");
        assertThat(Instant.parse(ok.path("p").path("expires_at").asText())).isAfter(Instant.now().plusSeconds(3600));

        elapse(Duration.ofSeconds(20));
        assertThat(texts()).isEmpty();
        assertThat(channel.isActive()).isTrue();
        assertThat(services.stats().tokenRefreshes.get("ok")).isEqualTo(1);
    }

    @Test
    void eventsAfterARefreshCarryTheNewClaims() {
        connect(shortTokenLifetime(), Instant.now().plusSeconds(60));
        receive("{\"t\":\"chat\",\"p\":{}}");
        String fresh = TestServers.token("alice", Duration.ofHours(2), Map.of("plan", "gold"));
        receive("{\"t\":\"refresh\",\"p\":{\"token\":\"" + fresh + "\"}}");
        assertThat(types(texts())).containsExactly("refresh_ok");
        receive("{\"t\":\"chat\",\"p\":{}}");
        channel.close();

        List<InboundEvent> events = services.drain();
        assertThat(events).hasSize(3);
        assertThat(events.get(0)).isInstanceOfSatisfying(InboundEvent.Message.class,
                m -> assertThat(m.connection().claims()).doesNotContainKey("plan"));
        assertThat(events.get(1)).isInstanceOfSatisfying(InboundEvent.Message.class,
                m -> assertThat(m.connection().claims()).containsEntry("plan", "gold"));
        assertThat(events.get(2)).isInstanceOfSatisfying(InboundEvent.Disconnected.class,
                d -> assertThat(d.connection().claims()).containsEntry("plan", "gold"));
    }

    @Test
    void refusesARefreshForAnotherUserOrWithABadTokenAndKeepsTheConnectionUntilExpiry() {
        connect(shortTokenLifetime(), Instant.now().plusSeconds(10));

        receive("{\"t\":\"refresh\",\"p\":{\"token\":\"" + TestServers.token("mallory") + "\"},\"cid\":\"r1\"}");
        receive("{\"t\":\"refresh\",\"p\":{\"token\":\"not.a.token\"},\"cid\":\"r2\"}");
        List<JsonNode> errors = texts();
        assertThat(errors).hasSize(2).allSatisfy(e -> {
            assertThat(e.path("t").asText()).isEqualTo("error");
            assertThat(e.path("p").path("code").asText()).isEqualTo("AUTH_FAILED");
        });
        assertThat(errors.get(0).path("cid").asText()).isEqualTo("r1");
        assertThat(errors.get(1).path("cid").asText()).isEqualTo("r2");
        assertThat(services.stats().tokenRefreshes.get("wrong_subject")).isEqualTo(1);
        assertThat(services.stats().tokenRefreshes.get("malformed")).isEqualTo(1);
        assertThat(channel.isActive()).isTrue();

        elapse(Duration.ofSeconds(13));
        assertThat(types(texts())).containsExactly("token_expiring");
        CloseWebSocketFrame close = closeFrame();
        assertThat(close.statusCode()).isEqualTo(CloseCodes.AUTH_FAILED);
        close.release();
    }

    @Test
    void aTokenAcceptedInsideItsLeewayClosesAtExpPlusLeeway() {
        // exp 1 s ago, leeway 2 s: the token has 1 s left, not exp-clamped-to-now + 2 s.
        connect(shortTokenLifetime(), Instant.now().minusSeconds(1));

        elapse(Duration.ofSeconds(1));
        texts();
        CloseWebSocketFrame close = closeFrame();
        assertThat(close.statusCode()).isEqualTo(CloseCodes.AUTH_FAILED);
        assertThat(close.reasonText()).isEqualTo("token expired");
        close.release();
    }

    @Test
    void aMessageUnderADeadTokenClosesWith4401BeforeTheSweep() {
        connect(shortTokenLifetime(), Instant.now().plusSeconds(1));

        // Past exp + leeway without running the sweep: the message itself must find the token dead.
        channel.advanceTimeBy(4, TimeUnit.SECONDS);
        receive("{\"t\":\"chat\",\"p\":{}}");
        CloseWebSocketFrame close = closeFrame();
        assertThat(close.statusCode()).isEqualTo(CloseCodes.AUTH_FAILED);
        close.release();
        assertThat(applicationMessages()).isZero();
    }

    @Test
    void refusesARefreshWithAnExpiredTokenOrAnotherAlgorithm() {
        connect(shortTokenLifetime(), Instant.now().plusSeconds(60));
        String expired = new JwtMinter(JwtAlgorithm.HS256, JwtKeys.hmacKey(JwtAlgorithm.HS256, TestServers.SECRET),
                Clock.offset(Clock.systemUTC(), Duration.ofHours(-2))).mint("alice", Duration.ofHours(1));
        String hs512 = new JwtMinter(JwtAlgorithm.HS512, JwtKeys.hmacKey(JwtAlgorithm.HS512, TestServers.SECRET
                + TestServers.SECRET), Clock.systemUTC()).mint("alice", Duration.ofHours(1));

        receive("{\"t\":\"refresh\",\"p\":{\"token\":\"" + expired + "\"},\"cid\":\"r1\"}");
        receive("{\"t\":\"refresh\",\"p\":{\"token\":\"" + hs512 + "\"},\"cid\":\"r2\"}");

        assertThat(texts()).hasSize(2).allSatisfy(e ->
                assertThat(e.path("p").path("code").asText()).isEqualTo("AUTH_FAILED"));
        assertThat(services.stats().tokenRefreshes.get("expired")).isEqualTo(1);
        assertThat(services.stats().tokenRefreshes.get("wrong_algorithm")).isEqualTo(1);
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void refusesARefreshWhoseKidTheKeySetDoesNotHoldAndTheConfiguredKeyDoesNotVerify() {
        KeyPair configured = JwtKeys.generateKeyPair(JwtAlgorithm.RS256);
        KeyPair other = JwtKeys.generateKeyPair(JwtAlgorithm.RS256);
        JwtVerifierConfig jwt = JwtVerifierConfig.builder(JwtAlgorithm.RS256, configured.getPublic()).build();
        List<String> asked = new CopyOnWriteArrayList<>();
        JwtKeySet keySet = new JwtKeySet() {
            @Override
            public Map<String, PublicKey> keys() {
                return Map.of("k1", configured.getPublic());
            }

            @Override
            public void unknownKid(String kid) {
                asked.add(kid);
            }
        };
        ServerConfig config = TestServers.config().auth(AuthConfig.jwt(jwt)).build();
        start(EmbeddedServices.over(channel, config, new JwtVerifier(jwt, keySet, Clock.systemUTC())),
                Instant.now().plus(Duration.ofHours(1)));
        String token = new JwtMinter(JwtAlgorithm.RS256, other.getPrivate(), Clock.systemUTC()).withKeyId("k9")
                .mint("alice", Duration.ofHours(1));

        receive("{\"t\":\"refresh\",\"p\":{\"token\":\"" + token + "\"},\"cid\":\"r1\"}");

        List<JsonNode> replies = texts();
        assertThat(types(replies)).containsExactly("error");
        JsonNode error = replies.get(0);
        assertThat(error.path("p").path("code").asText()).isEqualTo("AUTH_FAILED");
        assertThat(error.path("cid").asText()).isEqualTo("r1");
        assertThat(services.stats().tokenRefreshes.get("unknown_key")).isEqualTo(1);
        assertThat(asked).containsExactly("k9");
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void repeatedRefusedRefreshesCloseWith1008() {
        connect(shortTokenLifetime().andThen(c -> c.rateLimit(RateLimitConfig.DEFAULT
                .withViolations(2, Duration.ofSeconds(10)))), Instant.now().plusSeconds(60));

        for (int i = 0; i < 3; i++) {
            receive("{\"t\":\"refresh\",\"p\":{\"token\":\"not.a.token\"}}");
        }
        assertThat(types(texts())).containsExactly("error", "error", "error");
        CloseWebSocketFrame close = closeFrame();
        assertThat(close.statusCode()).isEqualTo(CloseCodes.POLICY_VIOLATION);
        close.release();
        assertThat(services.stats().abuseCloses.get("refresh")).isEqualTo(1);
    }

    @Test
    void aPongFloodClosesWith1008() {
        connect(c -> c.rateLimit(RateLimitConfig.DEFAULT.withControlFrames(3, 1)
                .withViolations(2, Duration.ofSeconds(10))));

        for (int i = 0; i < 6; i++) {
            channel.writeInbound(new PongWebSocketFrame(Unpooled.copiedBuffer("p" + i, StandardCharsets.UTF_8)));
        }
        CloseWebSocketFrame close = closeFrame();
        assertThat(close.statusCode()).isEqualTo(CloseCodes.POLICY_VIOLATION);
        assertThat(close.reasonText()).isEqualTo("control frame rate limit exceeded");
        close.release();
        assertThat(services.stats().controlFramesRefused.sum()).isEqualTo(3);
    }
}
