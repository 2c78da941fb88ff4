package io.fanwire.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

class RuntimeMetricsTest {

    @Test
    void theJvmAndProcessMetersWithPrometheusFriendlyNames() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (RuntimeMetrics runtime = new RuntimeMetrics()) {
            runtime.bindTo(registry);

            String text = registry.scrape();
            assertThat(text).contains("jvm_memory_used_bytes{", "jvm_gc_memory_allocated_bytes_total",
                    "jvm_threads_live_threads", "jvm_classes_loaded_classes", "process_uptime_seconds",
                    "process_files_open_files", "system_cpus ", "process_cpu_usage");
            assertThat(text).as("names promtool refuses").doesNotContain("process_cpu_time_ns", "system_cpu_count");
        } finally {
            registry.close();
        }
    }
}
