package io.fanwire.bench.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the kernel allows this process: its open-files soft limit and the ephemeral port range. Reads
 * {@code /proc}; never changes a setting. Values that cannot be read are -1.
 */
public final class SystemLimits {

    private SystemLimits() {
    }

    /** The soft limit on open files ({@code RLIMIT_NOFILE}) of this process, or -1 when unknown. */
    public static long openFilesLimit() {
        return openFilesLimit(read("/proc/self/limits"));
    }

    /** The soft limit from the text of a {@code /proc/PID/limits} file, or -1. */
    static long openFilesLimit(String limits) {
        if (limits == null) {
            return -1;
        }
        for (String line : limits.split("\n")) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                if (soft.equals("unlimited")) {
                    return Long.MAX_VALUE;
                }
                try {
                    return Long.parseLong(soft);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** {@code net.ipv4.ip_local_port_range} as {@code {low, high}}, or {@code null} when unknown. */
    public static long[] ephemeralPortRange() {
        String range = read("/proc/sys/net/ipv4/ip_local_port_range");
        String[] parts = range == null ? new String[0] : range.trim().split("\\s+");
        if (parts.length != 2) {
            return null;
        }
        try {
            return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** How many ports the ephemeral range holds, or -1 when unknown. */
    public static long ephemeralPorts() {
        long[] range = ephemeralPortRange();
        return range == null ? -1 : range[1] - range[0] + 1;
    }

    /** A {@code /proc} file's text, or {@code null}. */
    public static String read(String path) {
        // /proc files report size 0: read the stream to its end.
        try (var in = Files.newInputStream(Path.of(path))) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
