package io.fanwire.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.ServerConfig.MetricsConfig;
import io.fanwire.server.testing.ApiClient;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.Exposition;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.TestServers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** {@code GET /metrics} and the readiness heap budget of a real server, scraped over a real socket. */
class MetricsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void theScrapeFollowsWhatClientsDid() {
        try (FanwireServer server = TestServers.start()) {
            try (JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("metrics-user"))) {
                client.nextOfType("server_ready");
                client.sendText("{\"t\":\"subscription\",\"p\":{\"topics\":[\"metrics.room\"]}}");
                client.nextOfType("subscription_update");
                for (int i = 0; i < 3; i++) {
                    client.sendText("{\"t\":\"chat\",\"p\":{\"n\":" + i + "}}");
                }
                server.publish("metrics.room", Envelope.of("note", Envelope.newPayload().put("x", 1)));
                client.nextOfType("note");
                client.sendClose(1000, "bye");
                client.awaitCloseCode(TIMEOUT);
            }
            assertThat(ApiClient.withHeaders(server.port()).get("/health/nope").status()).isEqualTo(404);

            Exposition[] last = new Exposition[1];
            Await.until("the scrape shows the closed connection and all four messages", TIMEOUT, () -> {
                last[0] = Exposition.scrape(server.port());
                return last[0].value("fanwire_disconnects_total{code=\"normal\"}").orElse(0) == 1
                        && last[0].value("fanwire_messages_in_total").orElse(0) == 4;
            });
            Exposition scrape = last[0];

            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            assertThat(scrape.value("fanwire_connections_accepted_total")).hasValue(1);
            assertThat(scrape.value("fanwire_connections_active")).hasValue(0);
            assertThat(scrape.value("fanwire_handshake_duration_seconds_count")).hasValue(1);
            assertThat(scrape.value("fanwire_publications_total")).hasValue(1);
            assertThat(scrape.value("fanwire_deliveries_total")).hasValue(1);
            assertThat(scrape.value("fanwire_subscriptions")).hasValue(0);
            assertThat(scrape.value("fanwire_drain_events_enqueued_total"))
                    .as("connected, three chat messages, disconnected").hasValue(5);
            assertThat(scrape.value("fanwire_history_publications")).hasValue(1);
            assertThat(scrape.value("fanwire_bytes_in_total").orElseThrow()).isPositive();
            assertThat(scrape.value("fanwire_messages_out_total").orElseThrow())
                    .as("server_ready and subscription_update; publications count as deliveries")
                    .isGreaterThanOrEqualTo(2);
            for (String name : List.of("jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total",
                    "jvm_threads_live_threads", "jvm_classes_loaded_classes", "process_cpu_usage",
                    "process_uptime_seconds", "system_cpus", "process_files_open_files",
                    "fanwire_netty_allocator_used_bytes", "fanwire_netty_allocator_arenas",
                    "fanwire_heap_used_after_gc_ratio")) {
                assertThat(scrape.has(name)).as(name).isTrue();
            }
            if (System.getProperty("os.name").startsWith("Linux")) {
                assertThat(scrape.value("process_resident_memory_bytes").orElseThrow()).isPositive();
            }
            Await.until("every event loop probed for lag", TIMEOUT, () ->
                    Exposition.scrape(server.port()).sum("fanwire_event_loop_lag_seconds_count") > 0);
        }
    }

    @Test
    void withAnApiPortMetricsAreServedThereOnly() {
        try (FanwireServer server = TestServers.start(c -> c.apiPort(0))) {
            assertThat(Exposition.scrape(server.apiPort()).status()).isEqualTo(200);
            assertThat(Exposition.scrape(server.port()).status()).isEqualTo(404);
        }
    }

    @Test
    void requireApiKeyAsksForTheKey() {
        try (FanwireServer server = TestServers.start(c -> c.metrics(new MetricsConfig(true, true)))) {
            assertThat(Exposition.scrape(server.port()).status()).isEqualTo(401);
            ApiClient.Answer keyed = ApiClient.of(server.port()).get("/metrics");
            assertThat(keyed.status()).isEqualTo(200);
            assertThat(keyed.response().body()).contains("fanwire_auth_failures_total{reason=\"api_key\"} 1.0");
        }
    }

    @Test
    void anEmbeddersRegistryGetsTheFanwireMetersAndNoEndpoint() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FanwireServer server = FanwireServer.builder().config(TestServers.config().build()).meterRegistry(registry)
                .build().start();
        try (server) {
            assertThat(server.meterRegistry()).isSameAs(registry);
            assertThat(registry.find("fanwire.connections.accepted").functionCounter()).isNotNull();
            assertThat(registry.find("jvm.memory.used").gauge()).as("the JVM is the embedder's business").isNull();
            assertThat(Exposition.scrape(server.port()).status()).isEqualTo(404);
        }
        assertThat(registry.getMeters()).as("removed on close")
                .noneMatch(m -> m.getId().getName().startsWith("fanwire.") && !m.getId().getName().startsWith("fanwire.netty"));
    }

    @Test
    void readinessIs503AboveTheHeapBudget() {
        try (FanwireServer tiny = TestServers.start(c -> c.maxHeapRatio(1e-6));
             FanwireServer normal = TestServers.start()) {
            // Whatever lives after a collection is far above a millionth of the heap.
            System.gc();
            ApiClient.Answer answer = ApiClient.withHeaders(tiny.port()).get("/health/ready");
            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.json().path("status").asText()).isEqualTo("not_ready");
            assertThat(answer.json().path("reason").asText()).isEqualTo("heap");
            assertThat(ApiClient.withHeaders(tiny.port()).get("/health/live").status()).isEqualTo(200);
            ApiClient.Answer ready = ApiClient.withHeaders(normal.port()).get("/health/ready");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.json().path("status").asText()).isEqualTo("ready");
        }
    }
}
