package io.fanwire.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.server.ServerConfig;
import io.fanwire.server.metrics.FanwireMetrics;
import io.fanwire.server.metrics.HeapBudget;
import io.fanwire.server.metrics.MetricsExposition;
import io.fanwire.server.testing.EmbeddedServices;
import io.fanwire.server.testing.TestServers;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/** {@code GET /metrics} and the readiness heap budget, one aggregated request in and one response out. */
class MetricsRouteTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** The scrape executor: runs what it is given when the test says so. */
    private final ArrayDeque<Runnable> renderings = new ArrayDeque<>();
    private final Executor executor = renderings::add;
    private EmbeddedServices services;
    private HeapBudget heapBudget = HeapBudget.DISABLED;

    @AfterEach
    void closeRegistry() {
        registry.close();
    }

    private void routes(Consumer<ServerConfig.Builder> customizer, boolean serveApi) {
        ServerConfig.Builder config = TestServers.config();
        customizer.accept(config);
        services = EmbeddedServices.over(channel, config.build());
        new FanwireMetrics(services.stats(), new FanwireMetrics.Sources(() -> 1, () -> 0, () -> 0, () -> 0, () -> 0,
                () -> 0, () -> 0, () -> 0, () -> 0.5)).bindTo(registry);
        HttpServices http = services.http(() -> true, () -> true, Map::of, MetricsExposition.of(registry, executor),
                heapBudget);
        channel.pipeline().addLast(new HttpRouteHandler(http, serveApi));
    }

    private void routes() {
        routes(c -> { }, true);
    }

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
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, "x");
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return request;
    }

    /** The next response written, after running what waits on the scrape executor and the event loop. */
    private Answer answer() {
        for (Runnable r; (r = renderings.poll()) != null; ) {
            r.run();
        }
        channel.runPendingTasks();
        FullHttpResponse response = channel.readOutbound();
        assertThat(response).as("a response").isNotNull();
        try {
            return new Answer(response.status().code(), response.headers().copy(),
                    response.content().toString(StandardCharsets.UTF_8));
        } finally {
            ReferenceCountUtil.release(response);
        }
    }

    private Answer exchange(FullHttpRequest request) {
        channel.writeInbound(request);
        return answer();
    }

    @Test
    void metricsAreThePrometheusTextRenderedOffTheLoop() {
        routes();
        services.stats().messagesIn.add(5);

        channel.writeInbound(request(HttpMethod.GET, "/metrics"));
        Object early = channel.readOutbound();
        assertThat(early).as("nothing until rendered").isNull();
        assertThat(renderings).hasSize(1);
        Answer answer = answer();

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.headers().get(HttpHeaderNames.CONTENT_TYPE))
                .isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(answer.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
        assertThat(answer.headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
                .isEqualTo(answer.body().getBytes(StandardCharsets.UTF_8).length);
        assertThat(answer.body()).contains("# TYPE fanwire_messages_in_total counter")
                .containsPattern("(?m)^fanwire_messages_in_total 5.0$");
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void openMetricsWhenTheScraperAsks() {
        routes();

        Answer answer = exchange(request(HttpMethod.GET, "/metrics", "Accept",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"));

        assertThat(answer.headers().get(HttpHeaderNames.CONTENT_TYPE))
                .isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(answer.body()).contains("# TYPE fanwire_messages_in counter").endsWith("# EOF\n");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void pipelinedRequestsWaitForTheScrapeAndKeepTheirOrder() {
        routes();

        channel.writeInbound(request(HttpMethod.GET, "/metrics"));
        channel.writeInbound(request(HttpMethod.GET, "/health/live"));
        Object early = channel.readOutbound();
        assertThat(early).isNull();

        assertThat(answer().headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("text/plain");
        FullHttpResponse live = channel.readOutbound();
        assertThat(live.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        live.release();
        assertThat(channel.config().isAutoRead()).as("reading again").isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void headHasTheHeadersButNoBody() {
        routes();

        Answer answer = exchange(request(HttpMethod.HEAD, "/metrics"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEmpty();
        assertThat(answer.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isPositive();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void postIs405() {
        routes();

        Answer answer = exchange(request(HttpMethod.POST, "/metrics"));

        assertThat(answer.status()).isEqualTo(405);
        assertThat(answer.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET, HEAD");
        assertThat(renderings).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void notServedWhereTheApiIsNot() {
        routes(c -> c.apiPort(0), false);

        Answer answer = exchange(request(HttpMethod.GET, "/metrics"));

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.json().path("code").asText()).isEqualTo("NOT_FOUND");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void switchedOffIs404() {
        routes(c -> c.metrics(new ServerConfig.MetricsConfig(false, false)), true);

        Answer answer = exchange(request(HttpMethod.GET, "/metrics"));

        assertThat(answer.status()).isEqualTo(404);
        assertThat(renderings).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void withRequireApiKeyAScrapeWithoutTheKeyIs401AndCounted() {
        routes(c -> c.metrics(new ServerConfig.MetricsConfig(true, true)), true);

        Answer refused = exchange(request(HttpMethod.GET, "/metrics", "X-API-Key", "wrong-key-0123456789"));
        Answer allowed = exchange(request(HttpMethod.GET, "/metrics", "Authorization", "apikey " + TestServers.API_KEY));

        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().path("code").asText()).isEqualTo("AUTH_FAILED");
        assertThat(refused.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo("apikey");
        assertThat(services.stats().authFailures.get("api_key")).isEqualTo(1);
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void withoutRequireApiKeyNoKeyIsNeeded() {
        routes();

        assertThat(exchange(request(HttpMethod.GET, "/metrics")).status()).isEqualTo(200);
        assertThat(services.stats().authFailures.total()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void readyIs503WithReasonHeapAboveTheBudget() {
        HeapBudget.Usage[] usage = {new HeapBudget.Usage(990, 1000)};
        heapBudget = new HeapBudget(0.95, () -> usage[0]);
        routes();

        Answer over = exchange(request(HttpMethod.GET, "/health/ready"));
        usage[0] = new HeapBudget.Usage(500, 1000);
        Answer under = exchange(request(HttpMethod.GET, "/health/ready"));

        assertThat(over.status()).isEqualTo(503);
        assertThat(over.body()).isEqualTo("{\"status\":\"not_ready\",\"reason\":\"heap\"}");
        assertThat(under.status()).isEqualTo(200);
        assertThat(under.json().path("status").asText()).isEqualTo("ready");
        assertThat(channel.finish()).isFalse();
    }
}
