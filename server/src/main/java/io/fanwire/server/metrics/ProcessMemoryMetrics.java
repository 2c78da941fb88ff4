package io.fanwire.server.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The process's resident set size, {@code process_resident_memory_bytes} (the name Prometheus's own process
 * collectors use), read from {@code VmRSS} in {@code /proc/self/status} at scrape time. Linux only: elsewhere,
 * or where that file cannot be read, the gauge is not registered at all rather than reporting a made-up value.
 */
public final class ProcessMemoryMetrics implements MeterBinder {

    private static final Path DEFAULT_STATUS = Path.of("/proc/self/status");

    private final Path status;

    /** Reads {@code /proc/self/status}. */
    public ProcessMemoryMetrics() {
        this(DEFAULT_STATUS);
    }

    /** Reads a file in the format of {@code /proc/<pid>/status} (tests). */
    ProcessMemoryMetrics(Path status) {
        this.status = status;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        if (residentBytes(status) < 0) {
            return;
        }
        Gauge.builder("process.resident.memory", this, m -> {
                    long bytes = residentBytes(m.status);
                    return bytes < 0 ? Double.NaN : bytes;
                })
                .baseUnit("bytes")
                .description("Resident set size of the process (VmRSS)")
                // Nothing else holds this binder: a weak reference would let the gauge read NaN after a GC.
                .strongReference(true)
                .register(registry);
    }

    /** {@code VmRSS} of {@code file} in bytes, or -1 when it cannot be read. */
    static long residentBytes(Path file) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
                    long value = Long.parseLong(parts[0]);
                    return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? value * 1024 : value;
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
