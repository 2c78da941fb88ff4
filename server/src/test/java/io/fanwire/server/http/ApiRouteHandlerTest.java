package io.fanwire.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.Features;
import io.fanwire.common.protocol.ServerMessage.PresenceUser;
import io.fanwire.common.protocol.StreamPosition;
import io.fanwire.server.ServerConfig;
import io.fanwire.server.ServerConfig.AuthConfig;
import io.fanwire.server.auth.Authenticator;
import io.fanwire.server.broker.HistoryPage;
import io.fanwire.server.broker.InMemoryBroker;
import io.fanwire.server.drain.DrainQueue;
import io.fanwire.server.metrics.ServerStats;
import io.fanwire.server.pubsub.PubSub;
import io.fanwire.server.session.Heartbeat;
import io.fanwire.server.session.SessionRegistry;
import io.fanwire.server.session.SessionServices;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The route handler and the API port's aggregator on an {@link EmbeddedChannel}, with a server whose broker
 * answers when the test says so.
 */
class ApiRouteHandlerTest {

    private static final String KEY = "unit-test-api-key-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EventLoopGroup group;

    private final ServerStats stats = new ServerStats();
    private final FakeServer fake = new FakeServer();

    @BeforeAll
    static void startGroup() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopGroup() {
        group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A server whose publications complete when the test completes {@link #pending}. */
    private static final class FakeServer implements ServerApi {
        CompletableFuture<StreamPosition> pending = new CompletableFuture<>();

        @Override
        public CompletionStage<StreamPosition> publish(String topic, Envelope message) {
            return pending;
        }

        @Override
        public CompletionStage<HistoryPage> history(String topic, StreamPosition since, int limit) {
            return CompletableFuture.failedFuture(new IllegalStateException("broker unreachable"));
        }

        @Override
        public CompletionStage<Map<String, PresenceUser>> presence(String topic) {
            return CompletableFuture.completedFuture(Map.of());
        }

        @Override
        public boolean disconnect(UUID connectionId, int code, String reason) {
            return false;
        }

        @Override
        public int disconnectUser(String userId, int code, String reason) {
            return 0;
        }

        @Override
        public Map<String, Object> info() {
            return Map.of("node_id", "unit");
        }
    }

    private HttpServices services(int maxBodyBytes) {
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).apiKey(KEY)
                .maxHttpBodyBytes(maxBodyBytes).auth(AuthConfig.disabled()).build();
        FrameCodec codec = new FrameCodec(config.decodeLimits());
        PubSub pubsub = new PubSub(config.pubsub(), new InMemoryBroker(InMemoryBroker.Config.DEFAULT, codec.json()),
                codec, config.jsonFrames(), stats, group);
        SessionServices sessions = new SessionServices(config, codec, new SessionRegistry(),
                new Heartbeat(group, config.pingInterval(), config.idleTimeout()), new DrainQueue(config.drain(), stats),
                stats, "test", new Features(false, true, false, false), pubsub);
        return new HttpServices(sessions, new Authenticator(config.auth(), null), new ObjectMapper(), () -> true,
                () -> true, new ApiRoutes(fake, config, stats));
    }

    private static FullHttpRequest request(HttpMethod method, String uri, String body) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        request.headers().set("X-API-Key", KEY).setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
        return request;
    }

    private static JsonNode body(FullHttpResponse response) throws Exception {
        try {
            return JSON.readTree(response.content().toString(StandardCharsets.UTF_8));
        } finally {
            response.release();
        }
    }

    @Test
    void pipelinedRequestsWaitForAnOutstandingAnswerAndKeepTheirOrder() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRouteHandler(services(1024), true));

        channel.writeInbound(request(HttpMethod.POST, "/api/publish", "{\"topic\":\"t\"}"));
        channel.writeInbound(request(HttpMethod.GET, "/health/live", ""));
        channel.writeInbound(request(HttpMethod.GET, "/api/info", ""));

        Object early = channel.readOutbound();
        assertThat(early).isNull();
        assertThat(channel.config().isAutoRead()).as("reading paused while an answer is outstanding").isFalse();
        fake.pending.complete(new StreamPosition("0000abcd", 7));
        channel.runPendingTasks();

        FullHttpResponse published = channel.readOutbound();
        assertThat(published.status().code()).isEqualTo(200);
        JsonNode stamp = body(published);
        assertThat(stamp.path("epoch").asText()).isEqualTo("0000abcd");
        assertThat(stamp.path("offset").asLong()).isEqualTo(7);
        FullHttpResponse live = channel.readOutbound();
        assertThat(body(live).path("status").asText()).isEqualTo("live");
        FullHttpResponse info = channel.readOutbound();
        assertThat(body(info).path("node_id").asText()).isEqualTo("unit");
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(stats.apiRequests.get("publish_200")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void anAnswerForAClosedConnectionIsDroppedAndWaitingRequestsReleased() {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRouteHandler(services(1024), true));
        channel.writeInbound(request(HttpMethod.POST, "/api/publish", "{\"topic\":\"t\"}"));
        FullHttpRequest waiting = request(HttpMethod.GET, "/api/info", "");
        channel.writeInbound(waiting);

        channel.close();
        channel.runPendingTasks();
        assertThat(waiting.refCnt()).isZero();
        fake.pending.complete(new StreamPosition("0000abcd", 1));
        channel.runPendingTasks();

        Object late = channel.readOutbound();
        assertThat(late).isNull();
        assertThat(stats.apiRequests.total()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aBrokerFailureIsA503AndHeadHasNoBody() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRouteHandler(services(1024), true));

        channel.writeInbound(request(HttpMethod.GET, "/api/history?topic=t", ""));
        channel.runPendingTasks();
        FullHttpResponse failed = channel.readOutbound();
        assertThat(failed.status().code()).isEqualTo(503);
        JsonNode error = body(failed);
        assertThat(error.path("code").asText()).isEqualTo("SERVER_ERROR");
        assertThat(error.path("message").asText()).isEqualTo("history of t failed: broker unreachable");
        assertThat(stats.apiRequests.get("history_503")).isEqualTo(1);

        channel.writeInbound(request(HttpMethod.HEAD, "/api/info", ""));
        FullHttpResponse head = channel.readOutbound();
        assertThat(head.status().code()).isEqualTo(200);
        assertThat(head.content().readableBytes()).isZero();
        assertThat(head.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isPositive();
        head.release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void theMainPortWithAnApiPortAnswers404() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRouteHandler(services(1024), false));
        channel.writeInbound(request(HttpMethod.GET, "/api/info", ""));
        FullHttpResponse response = channel.readOutbound();
        assertThat(response.status().code()).isEqualTo(404);
        assertThat(body(response).path("message").asText()).isEqualTo("no route /api/info");
        assertThat(stats.apiRequests.get("info_404")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void theAggregatorAnswersAnOversizedBodyWithAJson413() {
        HttpServices services = services(16);
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new HttpBodyAggregator(services),
                new HttpRouteHandler(services, true));
        String chunked = "POST /api/publish HTTP/1.1\r\nHost: x\r\nX-API-Key: " + KEY + "\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + "a\r\n{\"topic\":\"\r\n" + "a\r\n0123456789\r\n" + "0\r\n\r\n";

        channel.writeInbound(Unpooled.copiedBuffer(chunked, StandardCharsets.US_ASCII));

        String response = readAll(channel);
        assertThat(response).startsWith("HTTP/1.1 413 Request Entity Too Large\r\n")
                .contains("connection: close")
                .endsWith("{\"code\":\"MESSAGE_TOO_LARGE\",\"message\":\"request body larger than 16 bytes\"}");
        assertThat(stats.apiRequests.get("publish_413")).isEqualTo(1);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    private static String readAll(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        for (ByteBuf buf; (buf = channel.readOutbound()) != null; ) {
            out.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        return out.toString();
    }
}
