package io.fanwire.server.http;

import static io.fanwire.server.testing.RawClient.upgradeRequest;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.codec.WireFormat;
import io.fanwire.common.jwt.JwtAlgorithm;
import io.fanwire.common.jwt.JwtKeys;
import io.fanwire.common.jwt.JwtMinter;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.server.ServerConfig;
import io.fanwire.server.drain.InboundEvent;
import io.fanwire.server.testing.EmbeddedServices;
import io.fanwire.server.testing.RawClient;
import io.fanwire.server.testing.RawClient.Frame;
import io.fanwire.server.testing.RawClient.HttpAnswer;
import io.fanwire.server.testing.TestServers;
import io.fanwire.server.testing.WireReader;
import io.fanwire.server.transport.PipelineNames;
import io.fanwire.server.transport.ServerChannelInitializer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * The upgrade request as the server's pre-upgrade pipeline sees it: raw request bytes in, the exact answer
 * bytes out, and what the pipeline looks like afterwards.
 */
class WebSocketHandshakeHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** RFC 6455 §1.3: the accept value is base64(SHA-1(key + this GUID)). */
    private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** The key {@link RawClient#upgradeRequest} sends: base64 of 16 zero bytes. */
    private static final String KEY = Base64.getEncoder().encodeToString(new byte[16]);
    private static final String BEARER_ALICE = "Authorization: Bearer " + TestServers.token("alice");

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final EmbeddedServices services = EmbeddedServices.over(channel, TestServers.config().build());
    private boolean accepting = true;
    /** The handler names when the connection closed, before Netty tears the pipeline down. */
    private List<String> pipelineAtClose;

    WebSocketHandshakeHandlerTest() {
        channel.pipeline().addLast(new ServerChannelInitializer(services.http(() -> true, () -> accepting, Map::of)));
        channel.closeFuture().addListener(f -> pipelineAtClose = List.copyOf(channel.pipeline().toMap().keySet()));
    }

    private WireReader send(String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        return WireReader.outboundOf(channel);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** Sends {@code request}, expects a refusal, checks what every refusal has in common and returns it. */
    private HttpAnswer refused(String request) {
        WireReader wire = send(request);
        HttpAnswer answer = wire.readAnswer();
        assertThat(wire.exhausted()).as("nothing after the answer").isTrue();
        assertThat(answer.headers())
                .containsEntry("content-type", "application/json")
                .containsEntry("connection", "close")
                .doesNotContainKeys("upgrade", "sec-websocket-accept");
        assertThat(channel.isOpen()).isFalse();
        assertThat(pipelineAtClose).as("never upgraded")
                .contains(PipelineNames.HTTP_CODEC, PipelineNames.HANDSHAKE, PipelineNames.HTTP_ROUTES)
                .doesNotContain(PipelineNames.WS_DECODER, PipelineNames.SESSION);
        assertThat(services.registry().size()).isZero();
        assertThat(services.stats().connectionsAccepted.sum()).isZero();
        assertThat(services.drain()).isEmpty();
        return answer;
    }

    /** A pre-upgrade pipeline of its own, over the test config changed by {@code customizer}. */
    private static EmbeddedChannel channelWith(Consumer<ServerConfig.Builder> customizer) {
        ServerConfig.Builder config = TestServers.config();
        customizer.accept(config);
        EmbeddedChannel channel = new EmbeddedChannel();
        EmbeddedServices services = EmbeddedServices.over(channel, config.build());
        channel.pipeline().addLast(new ServerChannelInitializer(services.http(() -> true, () -> true, Map::of)));
        return channel;
    }

    private static String expectedAccept() throws Exception {
        byte[] sha1 = MessageDigest.getInstance("SHA-1")
                .digest((KEY + WEBSOCKET_GUID).getBytes(StandardCharsets.US_ASCII));
        return Base64.getEncoder().encodeToString(sha1);
    }

    @Test
    void upgradeAnswers101WithTheAcceptValue() throws Exception {
        HttpAnswer answer = send(upgradeRequest("/ws", BEARER_ALICE)).readAnswer();

        assertThat(answer.status()).isEqualTo(101);
        assertThat(answer.headers())
                .containsEntry("upgrade", "websocket")
                .containsEntry("sec-websocket-accept", expectedAccept())
                .doesNotContainKey("sec-websocket-protocol");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void subprotocolCarrierSelectsFanwireV1AndNeverEchoesTheToken() {
        String token = TestServers.token("alice");
        HttpAnswer answer = send(upgradeRequest("/ws", "Sec-WebSocket-Protocol: fanwire.v1, bearer." + token))
                .readAnswer();

        assertThat(answer.status()).isEqualTo(101);
        assertThat(answer.headers()).containsEntry("sec-websocket-protocol", "fanwire.v1");
        assertThat(answer.headers().values()).noneMatch(value -> value.contains(token));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void upgradeReplacesTheHttpHandlersWithTheSessionHandlers() {
        send(upgradeRequest("/ws", BEARER_ALICE));

        assertThat(channel.pipeline().toMap().keySet())
                .hasSize(5)
                .contains(PipelineNames.WS_ENCODER)
                .containsSubsequence(PipelineNames.WS_DECODER, PipelineNames.WS_UTF8, PipelineNames.WS_AGGREGATOR,
                        PipelineNames.SESSION)
                .doesNotContain(PipelineNames.REQUEST_CLOCK, PipelineNames.HTTP_CODEC, PipelineNames.HTTP_AGGREGATOR,
                        PipelineNames.HANDSHAKE, PipelineNames.HTTP_ROUTES);
        assertThat(channel.pipeline().last()).isSameAs(channel.pipeline().get(PipelineNames.SESSION));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void anUpgradeIsTimedOnceFromItsFirstByte() {
        List<Long> timed = new java.util.ArrayList<>();
        services.stats().handshakes.bind(timed::add);
        String request = upgradeRequest("/ws", BEARER_ALICE);

        // A health check first, on the same connection: the upgrade is timed from its own first byte.
        send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n").readAnswer();
        channel.writeInbound(Unpooled.copiedBuffer(request.substring(0, 10), StandardCharsets.ISO_8859_1));
        assertThat(timed).isEmpty();
        HttpAnswer answer = send(request.substring(10)).readAnswer();

        assertThat(answer.status()).isEqualTo(101);
        assertThat(timed).hasSize(1);
        assertThat(timed.get(0)).isNotNegative();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aRefusedUpgradeIsNotTimed() {
        List<Long> timed = new java.util.ArrayList<>();
        services.stats().handshakes.bind(timed::add);

        refused(upgradeRequest("/ws", "Authorization: Bearer nope"));

        assertThat(timed).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void firstFrameAfterThe101IsServerReady() {
        WireReader wire = send(upgradeRequest("/ws", BEARER_ALICE));
        wire.readAnswer();

        Frame first = wire.readFrame();
        assertThat(first.opcode()).as("text").isEqualTo(1);
        JsonNode ready = json(first.text());
        assertThat(ready.path("t").asText()).isEqualTo("server_ready");
        assertThat(ready.path("seq").asLong()).isEqualTo(1);
        assertThat(ready.path("p").path("details").path("user_id").asText()).isEqualTo("alice");
        assertThat(wire.exhausted()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void upgradeRegistersTheConnectionAndTellsTheApplication() {
        WireReader wire = send(upgradeRequest("/ws", BEARER_ALICE));
        wire.readAnswer();
        JsonNode ready = json(wire.readFrame().text());

        List<InboundEvent> events = services.drain();
        assertThat(events).singleElement().isInstanceOf(InboundEvent.Connected.class);
        InboundEvent.Connected connected = (InboundEvent.Connected) events.get(0);
        assertThat(connected.connection().userId()).isEqualTo("alice");
        assertThat(connected.connection().claims()).containsEntry("sub", "alice");
        assertThat(connected.connection().format()).isEqualTo(WireFormat.JSON);
        assertThat(connected.connection().id().toString())
                .isEqualTo(ready.path("p").path("details").path("connection_id").asText());
        assertThat(services.registry().get(connected.connection().id())).isNotNull();
        assertThat(services.stats().connectionsAccepted.sum()).isEqualTo(1);
        assertThat(services.stats().connectionsActive.get()).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void formatMsgpackQueryParameterSelectsMsgpackFrames() throws Exception {
        WireReader wire = send(upgradeRequest("/ws?format=msgpack", BEARER_ALICE));
        assertThat(wire.readAnswer().status()).isEqualTo(101);

        Frame first = wire.readFrame();
        assertThat(first.opcode()).as("binary").isEqualTo(2);
        assertThat(new String(first.payload(), 0, 2, StandardCharsets.US_ASCII)).isEqualTo("M:");
        ByteBuf payload = Unpooled.wrappedBuffer(first.payload());
        try {
            Envelope ready = new FrameCodec(services.config().decodeLimits()).decode(payload, false);
            assertThat(ready.type()).isEqualTo("server_ready");
        } finally {
            payload.release();
        }
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void wseAliasPathUpgrades() {
        assertThat(send(upgradeRequest("/wse", BEARER_ALICE)).readAnswer().status()).isEqualTo(101);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void upgradeHeadersAreMatchedAsBrowsersSendThem() {
        String firefox = upgradeRequest("/ws", BEARER_ALICE)
                .replace("Connection: Upgrade", "Connection: keep-alive, Upgrade")
                .replace("Upgrade: websocket", "Upgrade: WebSocket");

        assertThat(send(firefox).readAnswer().status()).isEqualTo(101);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void theUpgradedPipelineReadsMaskedFrames() {
        send(upgradeRequest("/ws", BEARER_ALICE));
        byte[] ping = "{\"t\":\"ping\",\"p\":{\"timestamp\":5},\"cid\":\"x\"}".getBytes(StandardCharsets.UTF_8);

        channel.writeInbound(Unpooled.wrappedBuffer(RawClient.frame(0x80, 1, ping, true)));

        JsonNode pong = json(WireReader.outboundOf(channel).readFrame().text());
        assertThat(pong.path("t").asText()).isEqualTo("PONG");
        assertThat(pong.path("cid").asText()).isEqualTo("x");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void otherPathsPassToTheHttpRoutesAndKeepTheConnection() {
        HttpAnswer answer = send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n").readAnswer();

        assertThat(answer.status()).isEqualTo(200);
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.pipeline().toMap().keySet()).contains(PipelineNames.HANDSHAKE, PipelineNames.HTTP_ROUTES);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void missingTokenIs401AuthRequired() {
        HttpAnswer answer = refused(upgradeRequest("/ws"));

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.headers()).containsEntry("www-authenticate", "Bearer");
        assertThat(json(answer.body()).path("code").asText()).isEqualTo("AUTH_REQUIRED");
        assertThat(json(answer.body()).path("message").asText()).isNotEmpty();
        assertThat(services.stats().authFailures.get("missing")).isEqualTo(1);
        assertThat(services.stats().handshakesRejected.get("401_auth")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void malformedTokenIs401AuthFailed() {
        HttpAnswer answer = refused(upgradeRequest("/ws", "Authorization: Bearer not.a.token"));

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.headers()).containsEntry("www-authenticate", "Bearer");
        assertThat(json(answer.body()).path("code").asText()).isEqualTo("AUTH_FAILED");
        assertThat(services.stats().authFailures.get("malformed")).isEqualTo(1);
        assertThat(services.stats().handshakesRejected.get("401_auth")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void tokenSignedWithAnotherKeyIs401AuthFailed() {
        JwtMinter stranger = new JwtMinter(JwtAlgorithm.HS256,
                JwtKeys.hmacKey(JwtAlgorithm.HS256, "another-secret-0123456789-abcdefghijk"), Clock.systemUTC());
        String token = stranger.mint("mallory", Duration.ofMinutes(5));

        HttpAnswer answer = refused(upgradeRequest("/ws", "Authorization: Bearer " + token));

        assertThat(answer.status()).isEqualTo(401);
        assertThat(json(answer.body()).path("code").asText()).isEqualTo("AUTH_FAILED");
        assertThat(answer.body()).doesNotContain(token);
        assertThat(services.stats().authFailures.get("bad_signature")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void postIs405AllowingGet() {
        HttpAnswer answer = refused("POST /ws HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");

        assertThat(answer.status()).isEqualTo(405);
        assertThat(answer.headers()).containsEntry("allow", "GET");
        assertThat(json(answer.body()).path("code").asText()).isEqualTo("METHOD_NOT_ALLOWED");
        assertThat(services.stats().handshakesRejected.get("405_method")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void requestWithoutUpgradeHeadersIs400() {
        HttpAnswer answer = refused("GET /ws HTTP/1.1\r\nHost: x\r\n" + BEARER_ALICE + "\r\n\r\n");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(json(answer.body()).path("code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(services.stats().handshakesRejected.get("400_not_upgrade")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void version12Is426Naming13() {
        HttpAnswer answer = refused(upgradeRequest("/ws", BEARER_ALICE)
                .replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 12"));

        assertThat(answer.status()).isEqualTo(426);
        assertThat(answer.headers()).containsEntry("sec-websocket-version", "13");
        assertThat(json(answer.body()).path("code").asText()).isEqualTo("UNSUPPORTED_VERSION");
        assertThat(services.stats().handshakesRejected.get("426_version")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void missingKeyIs400() {
        String withoutKey = upgradeRequest("/ws", BEARER_ALICE).replace("Sec-WebSocket-Key: " + KEY + "\r\n", "");

        HttpAnswer answer = refused(withoutKey);

        assertThat(answer.status()).isEqualTo(400);
        assertThat(json(answer.body()).path("message").asText()).contains("Sec-WebSocket-Key");
        assertThat(services.stats().handshakesRejected.get("400_no_key")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void notAcceptingIs503WithRetryAfterBeforeAnyAuthentication() {
        accepting = false;

        HttpAnswer answer = refused(upgradeRequest("/ws", BEARER_ALICE));

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.headers()).containsEntry("retry-after", "5");
        assertThat(json(answer.body()).path("code").asText()).isEqualTo("UNAVAILABLE");
        assertThat(services.stats().handshakesRejected.get("503_unavailable")).isEqualTo(1);
        assertThat(services.stats().authFailures.total()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void refusalClosesEvenAKeepAliveConnection() {
        refused(upgradeRequest("/ws", "Connection: keep-alive"));

        assertThat(channel.finish()).isFalse();
    }

    @Test
    void configuredPathsAreTheOnlyUpgradePaths() {
        EmbeddedChannel custom = channelWith(c -> c.webSocketPaths(List.of("/socket")));

        custom.writeInbound(Unpooled.copiedBuffer(upgradeRequest("/ws", BEARER_ALICE), StandardCharsets.ISO_8859_1));
        assertThat(WireReader.outboundOf(custom).readAnswer().status()).as("/ws is a plain route now").isEqualTo(404);
        custom.writeInbound(Unpooled.copiedBuffer(upgradeRequest("/socket", BEARER_ALICE),
                StandardCharsets.ISO_8859_1));
        assertThat(WireReader.outboundOf(custom).readAnswer().status()).isEqualTo(101);
        assertThat(custom.finish()).isFalse();
        assertThat(channel.finish()).isFalse();
    }
}
