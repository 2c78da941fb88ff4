package io.fanwire.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The {@code fanwire_*} meters over {@link ServerStats}, as Prometheus reads them. */
class FanwireMetricsTest {

    private final ServerStats stats = new ServerStats();
    private final long[] topics = {0};
    private final FanwireMetrics.Sources sources = new FanwireMetrics.Sources(() -> topics[0], () -> 2, () -> 3,
            () -> 4096, () -> 5, () -> 6, () -> 700, () -> 1, () -> 0.25);
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final FanwireMetrics metrics = new FanwireMetrics(stats, sources);

    @AfterEach
    void close() {
        registry.close();
    }

    private String scrape() {
        return registry.scrape("text/plain; version=0.0.4; charset=utf-8");
    }

    /** The value of the sample {@code series} (name and labels exactly as exposed). */
    private double sample(String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape());
        assertThat(m.find()).as("sample " + series + " in\n" + scrape()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void everySeriesIsThereWithItsPrometheusName() {
        metrics.bindTo(registry);

        String text = scrape();
        for (String name : List.of("fanwire_connections_active", "fanwire_connections_accepted_total",
                "fanwire_handshake_duration_seconds_bucket", "fanwire_handshake_duration_seconds_count",
                "fanwire_messages_in_total", "fanwire_messages_out_total", "fanwire_bytes_in_total",
                "fanwire_bytes_out_total", "fanwire_publications_total", "fanwire_deliveries_total",
                "fanwire_publications_replayed_total", "fanwire_queue_group_remote_total",
                "fanwire_queue_group_claim_failures_total", "fanwire_presence_sync_failures_total", "fanwire_slow_consumer_drops_total",
                "fanwire_slow_consumer_disconnects_total", "fanwire_subscriptions", "fanwire_topics",
                "fanwire_history_streams", "fanwire_history_publications", "fanwire_history_bytes",
                "fanwire_history_evicted_streams_total", "fanwire_drain_queue_events", "fanwire_drain_queue_bytes",
                "fanwire_drain_parked_connections", "fanwire_drain_backpressure_pauses_total",
                "fanwire_drain_events_enqueued_total", "fanwire_drain_events_delivered_total",
                "fanwire_drain_events_rejected_total", "fanwire_drain_handler_errors_total",
                "fanwire_heap_used_after_gc_ratio")) {
            assertThat(text).as(name).containsPattern("(?m)^" + Pattern.quote(name) + "[ {]");
            assertThat(text).as("help of " + name).containsPattern("(?m)^# HELP " + name.replaceAll(
                    "_(bucket|count)$", "") + " \\S");
        }
    }

    @Test
    void valuesFollowTheCountersAndSources() {
        metrics.bindTo(registry);

        stats.connectionsAccepted.add(7);
        stats.connectionsActive.set(3);
        stats.messagesIn.add(11);
        stats.bytesIn.add(1234);
        stats.deliveries.add(40);
        stats.subscriptionsActive.set(9);
        topics[0] = 12;

        assertThat(sample("fanwire_connections_accepted_total")).isEqualTo(7);
        assertThat(sample("fanwire_connections_active")).isEqualTo(3);
        assertThat(sample("fanwire_messages_in_total")).isEqualTo(11);
        assertThat(sample("fanwire_bytes_in_total")).isEqualTo(1234);
        assertThat(sample("fanwire_deliveries_total")).isEqualTo(40);
        assertThat(sample("fanwire_subscriptions")).isEqualTo(9);
        assertThat(sample("fanwire_topics")).isEqualTo(12);
        assertThat(sample("fanwire_history_bytes")).isEqualTo(4096);
        assertThat(sample("fanwire_history_evicted_streams_total")).isEqualTo(5);
        assertThat(sample("fanwire_drain_queue_events")).isEqualTo(6);
        assertThat(sample("fanwire_drain_queue_bytes")).isEqualTo(700);
        assertThat(sample("fanwire_heap_used_after_gc_ratio")).isEqualTo(0.25);

        stats.messagesIn.increment();
        assertThat(sample("fanwire_messages_in_total")).as("read at scrape time").isEqualTo(12);
    }

    @Test
    void labelledFamiliesGetASeriesPerLabelAsItAppears() {
        stats.authFailures.increment("expired");
        metrics.bindTo(registry);

        assertThat(scrape()).doesNotContain("fanwire_connections_rejected_total");
        stats.handshakesRejected.increment("401_auth");
        stats.handshakesRejected.increment("401_auth");
        stats.handshakesRejected.increment("503_unavailable");
        stats.disconnects.increment("going_away");
        stats.protocolErrors.increment("INVALID_MESSAGE");
        stats.apiRequests.increment("publish_200");
        stats.apiRequests.increment("unknown_404");
        stats.pubsubRejections.increment("FORBIDDEN");
        stats.authFailures.increment("expired");

        assertThat(sample("fanwire_connections_rejected_total{reason=\"auth\",status=\"401\"}")).isEqualTo(2);
        assertThat(sample("fanwire_connections_rejected_total{reason=\"unavailable\",status=\"503\"}")).isEqualTo(1);
        assertThat(sample("fanwire_disconnects_total{code=\"going_away\"}")).isEqualTo(1);
        assertThat(sample("fanwire_protocol_errors_total{code=\"INVALID_MESSAGE\"}")).isEqualTo(1);
        assertThat(sample("fanwire_api_requests_total{route=\"publish\",status=\"200\"}")).isEqualTo(1);
        assertThat(sample("fanwire_api_requests_total{route=\"unknown\",status=\"404\"}")).isEqualTo(1);
        assertThat(sample("fanwire_pubsub_rejections_total{code=\"FORBIDDEN\"}")).isEqualTo(1);
        assertThat(sample("fanwire_auth_failures_total{reason=\"expired\"}")).as("a label from before binding")
                .isEqualTo(2);
    }

    @Test
    void labelsAreBoundedByWhatIsCountedNeverByUsersOrTopics() {
        metrics.bindTo(registry);
        for (int i = 0; i < 1000; i++) {
            stats.messagesIn.increment();
            stats.disconnects.increment(i % 2 == 0 ? "normal" : "going_away");
        }

        assertThat(registry.find("fanwire.disconnects").functionCounters()).hasSize(2);
        for (Meter meter : registry.getMeters()) {
            assertThat(meter.getId().getTags()).allSatisfy(tag -> assertThat(tag.getKey())
                    .isIn("reason", "status", "code", "route"));
        }
    }

    @Test
    void labelsOfAnotherShapeKeepTheirKeys() {
        assertThat(FanwireMetrics.statusAndReason("401_auth").stream().map(t -> t.getKey() + "=" + t.getValue()))
                .containsExactly("reason=auth", "status=401");
        assertThat(FanwireMetrics.statusAndReason("400_not_upgrade").stream().map(t -> t.getValue()))
                .containsExactly("not_upgrade", "400");
        assertThat(FanwireMetrics.statusAndReason("odd").stream().map(t -> t.getKey() + "=" + t.getValue()))
                .containsExactly("reason=odd", "status=");
        assertThat(FanwireMetrics.routeAndStatus("history_413").stream().map(t -> t.getKey() + "=" + t.getValue()))
                .containsExactly("route=history", "status=413");
        assertThat(FanwireMetrics.routeAndStatus("odd").stream().map(t -> t.getKey() + "=" + t.getValue()))
                .containsExactly("route=odd", "status=");
    }

    @Test
    void handshakesAreTimedIntoTheHistogram() {
        metrics.bindTo(registry);

        stats.handshakes.recordNanos(TimeUnit.MILLISECONDS.toNanos(3));
        stats.handshakes.recordNanos(TimeUnit.MILLISECONDS.toNanos(30));

        assertThat(sample("fanwire_handshake_duration_seconds_count")).isEqualTo(2);
        assertThat(sample("fanwire_handshake_duration_seconds_bucket{le=\"0.005\"}")).isEqualTo(1);
        assertThat(sample("fanwire_handshake_duration_seconds_bucket{le=\"0.05\"}")).isEqualTo(2);
        assertThat(sample("fanwire_handshake_duration_seconds_sum")).isEqualTo(0.033);
    }

    @Test
    void closingRemovesTheMetersAndLaterLabelsStayOut() {
        metrics.bindTo(registry);
        stats.disconnects.increment("normal");
        assertThat(registry.find("fanwire.disconnects").functionCounters()).hasSize(1);

        metrics.close();
        stats.disconnects.increment("abnormal");

        assertThat(registry.getMeters()).noneMatch(m -> m.getId().getName().startsWith("fanwire."));
        FunctionCounter none = registry.find("fanwire.disconnects").functionCounter();
        assertThat(none).isNull();
    }
}
