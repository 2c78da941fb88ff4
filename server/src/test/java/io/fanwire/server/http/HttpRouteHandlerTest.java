package io.fanwire.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.server.ServerConfig;
import io.fanwire.server.testing.EmbeddedServices;
import io.fanwire.server.testing.TestServers;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/** The routes before the upgrade, one aggregated request in and one response out. */
class HttpRouteHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Object> INFO = Map.of("node_id", "node-test", "connections", 3);

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private EmbeddedServices services;
    private boolean ready = true;

    /** Adds the route handler over the test config ({@link TestServers#API_KEY} set). */
    private void routes() {
        routes(TestServers.config().build());
    }

    private void routes(ServerConfig config) {
        services = EmbeddedServices.over(channel, config);
        channel.pipeline().addLast(new HttpRouteHandler(services.http(() -> ready, () -> true, () -> INFO)));
    }

    /** A response as the client sees it; the buffer is released. */
    private record Answer(int status, HttpHeaders headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    private static FullHttpRequest request(HttpMethod method, String uri, String... headerPairs) {
        return request(HttpVersion.HTTP_1_1, method, uri, headerPairs);
    }

    private static FullHttpRequest request(HttpVersion version, HttpMethod method, String uri, String... headerPairs) {
        FullHttpRequest request = new DefaultFullHttpRequest(version, method, uri, Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, "x");
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return request;
    }

    private Answer exchange(FullHttpRequest request) {
        channel.writeInbound(request);
        FullHttpResponse response = channel.readOutbound();
        assertThat(response).as("a response").isNotNull();
        try {
            return new Answer(response.status().code(), response.headers().copy(),
                    response.content().toString(StandardCharsets.UTF_8));
        } finally {
            ReferenceCountUtil.release(response);
        }
    }

    private Answer get(String uri, String... headerPairs) {
        return exchange(request(HttpMethod.GET, uri, headerPairs));
    }

    private static FullHttpRequest malformed(Throwable cause) {
        FullHttpRequest request = request(HttpMethod.GET, "/bad-request");
        request.setDecoderResult(DecoderResult.failure(cause));
        return request;
    }

    @Test
    void liveIs200Json() {
        routes();

        Answer answer = get("/health/live");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("status").asText()).isEqualTo("live");
        assertThat(answer.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(answer.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
        assertThat(answer.headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
                .isEqualTo(answer.body().getBytes(StandardCharsets.UTF_8).length);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void readyIs200WhileReady() {
        routes();

        Answer answer = get("/health/ready");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("status").asText()).isEqualTo("ready");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void readyIs503WhileNotReady() {
        routes();
        ready = false;

        Answer answer = get("/health/ready");

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.json().path("status").asText()).isEqualTo("not_ready");
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void headHasTheHeadersOfGetButNoBody() {
        routes();
        int getLength = get("/health/live").headers().getInt(HttpHeaderNames.CONTENT_LENGTH);

        Answer answer = exchange(request(HttpMethod.HEAD, "/health/live"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEmpty();
        assertThat(answer.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(getLength);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void postToHealthIs405AllowingGetAndHead() {
        routes();

        Answer answer = exchange(request(HttpMethod.POST, "/health/live"));

        assertThat(answer.status()).isEqualTo(405);
        assertThat(answer.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET, HEAD");
        assertThat(answer.json().path("code").asText()).isEqualTo("METHOD_NOT_ALLOWED");
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void unknownPathIs404Json() {
        routes();

        Answer answer = get("/nope?x=1");

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.json().path("code").asText()).isEqualTo("NOT_FOUND");
        assertThat(answer.json().path("message").asText()).isEqualTo("no route /nope");
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void queryStringDoesNotChangeTheRoute() {
        routes();

        assertThat(get("/health/live?probe=k8s").status()).isEqualTo(200);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void infoIs404WhenNoApiKeyIsConfigured() {
        routes(TestServers.config().apiKey(null).build());

        Answer answer = get("/api/info", "X-API-Key", TestServers.API_KEY);

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.json().path("code").asText()).isEqualTo("NOT_FOUND");
        assertThat(services.stats().authFailures.total()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void infoWithoutAKeyIs401AndCounted() {
        routes();

        Answer answer = get("/api/info");

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.json().path("code").asText()).isEqualTo("AUTH_FAILED");
        assertThat(services.stats().authFailures.get("api_key")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void infoWithAWrongKeyIs401AndCounted() {
        routes();

        Answer answer = get("/api/info", "X-API-Key", "wrong-key-0123456789");

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.body()).doesNotContain("node-test");
        assertThat(services.stats().authFailures.get("api_key")).isEqualTo(1);
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void infoWithTheKeyInXApiKeyIs200WithTheInfoBody() {
        routes();

        Answer answer = get("/api/info", "X-API-Key", TestServers.API_KEY);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("node_id").asText()).isEqualTo("node-test");
        assertThat(answer.json().path("connections").asInt()).isEqualTo(3);
        assertThat(services.stats().authFailures.total()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void infoWithTheKeyInAnApikeyAuthorizationIs200() {
        routes();

        Answer answer = get("/api/info", "Authorization", "apikey " + TestServers.API_KEY);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("node_id").asText()).isEqualTo("node-test");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void apikeySchemeIsCaseInsensitive() {
        routes();

        assertThat(get("/api/info", "Authorization", "ApiKey " + TestServers.API_KEY).status()).isEqualTo(200);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void bearerAuthorizationIsNotAnApiKey() {
        routes();

        assertThat(get("/api/info", "Authorization", "Bearer " + TestServers.API_KEY).status()).isEqualTo(401);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() {
        routes();

        Answer first = get("/health/live");
        Answer second = get("/api/info", "X-API-Key", TestServers.API_KEY);

        assertThat(first.status()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(200);
        assertThat(first.headers().contains(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)).isFalse();
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void connectionCloseIsHonoured() {
        routes();

        Answer answer = get("/health/live", "Connection", "close");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void http10WithoutKeepAliveIsClosedAfterTheAnswer() {
        routes();

        Answer answer = exchange(request(HttpVersion.HTTP_1_0, HttpMethod.GET, "/health/live"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void malformedRequestIs400AndCloses() {
        routes();

        Answer answer = exchange(malformed(new IllegalArgumentException("invalid version format: HTTP/9.X")));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().path("code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(answer.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void overlongRequestLineIs414AndCloses() {
        routes();

        Answer answer = exchange(malformed(new TooLongHttpLineException("An HTTP line is larger than 4096 bytes.")));

        assertThat(answer.status()).isEqualTo(414);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void oversizedHeadersAre431AndClose() {
        routes();

        Answer answer = exchange(malformed(new TooLongHttpHeaderException("HTTP header is larger than 16384 bytes.")));

        assertThat(answer.status()).isEqualTo(431);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void anIoErrorClosesTheConnection() {
        routes();

        channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));

        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void theRequestIsReleased() {
        routes();
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/nope",
                Unpooled.copiedBuffer("body", StandardCharsets.UTF_8));

        exchange(request);

        assertThat(request.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }
}
