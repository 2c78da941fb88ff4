package io.fanwire.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class ProcessMemoryMetricsTest {

    @Test
    void vmRssIsReadInBytes(@TempDir Path dir) throws Exception {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\nVmPeak:\t 9999 kB\nVmRSS:\t  123456 kB\nThreads:\t42\n");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        new ProcessMemoryMetrics(status).bindTo(registry);

        assertThat(registry.get("process.resident.memory").gauge().value()).isEqualTo(123456.0 * 1024);
    }

    @Test
    void withoutTheFileThereIsNoGauge(@TempDir Path dir) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        new ProcessMemoryMetrics(dir.resolve("absent")).bindTo(registry);

        assertThat(registry.find("process.resident.memory").gauge()).isNull();
    }
}
