package io.fanwire.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

class MetricsExpositionTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final Executor manual = tasks::add;

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    void openMetricsOnlyWhenAskedFor() {
        assertThat(MetricsExposition.negotiate(null)).isEqualTo(MetricsExposition.TEXT);
        assertThat(MetricsExposition.negotiate("*/*")).isEqualTo(MetricsExposition.TEXT);
        assertThat(MetricsExposition.negotiate("text/plain;version=0.0.4")).isEqualTo(MetricsExposition.TEXT);
        // What Prometheus 2.x sends.
        assertThat(MetricsExposition.negotiate("application/openmetrics-text;version=1.0.0,"
                + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"))
                .isEqualTo(MetricsExposition.OPENMETRICS);
        assertThat(MetricsExposition.negotiate("application/openmetrics-text; q=0, text/plain"))
                .isEqualTo(MetricsExposition.TEXT);
    }

    @Test
    void rendersOnTheExecutorInTheNegotiatedFormat() {
        Counter.builder("fanwire.things").description("Things").register(registry).increment(3);
        MetricsExposition exposition = MetricsExposition.of(registry, manual);

        CompletableFuture<MetricsExposition.Scrape> text = exposition.scrape(null);
        CompletableFuture<MetricsExposition.Scrape> open = exposition.scrape("application/openmetrics-text");
        assertThat(text).isNotDone();
        runTasks();

        assertThat(text.join().contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(new String(text.join().body(), StandardCharsets.UTF_8))
                .contains("# TYPE fanwire_things_total counter").contains("fanwire_things_total 3.0");
        assertThat(open.join().contentType()).startsWith("application/openmetrics-text; version=1.0.0");
        assertThat(new String(open.join().body(), StandardCharsets.UTF_8))
                .contains("# TYPE fanwire_things counter").endsWith("# EOF\n");
    }

    @Test
    void concurrentScrapesShareOneRendering() {
        MetricsExposition exposition = MetricsExposition.of(registry, manual);

        CompletableFuture<MetricsExposition.Scrape> first = exposition.scrape(null);
        CompletableFuture<MetricsExposition.Scrape> second = exposition.scrape("text/plain");

        assertThat(second).isSameAs(first);
        assertThat(tasks).hasSize(1);
        runTasks();
        assertThat(exposition.scrape(null)).as("a new rendering once that one is done").isNotSameAs(first);
    }

    @Test
    void anotherRegistryHasNoExposition() {
        MetricsExposition exposition = MetricsExposition.of(new SimpleMeterRegistry(), manual);

        assertThat(exposition.available()).isFalse();
        assertThat(exposition.scrape(null)).isCompletedExceptionally();
        assertThat(MetricsExposition.UNAVAILABLE.available()).isFalse();
    }

    private void runTasks() {
        for (Runnable task; (task = tasks.poll()) != null; ) {
            task.run();
        }
    }
}
