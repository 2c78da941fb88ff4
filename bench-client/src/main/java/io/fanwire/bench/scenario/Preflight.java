package io.fanwire.bench.scenario;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run needs from the machine and what the machine offers: file descriptors against connections,
 * ephemeral ports per source address, the accept backlog. It only reads; it never changes a setting.
 *
 * @param lines    one line per check, for the console
 * @param warnings the checks that fall short
 */
public record Preflight(List<String> lines, List<String> warnings) {

    /** Checks what {@code connections} connections from {@code sourceAddresses} addresses need. */
    public static Preflight check(int connections, int sourceAddresses) {
        List<String> lines = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        long fds = openFilesLimit();
        long fdsNeeded = connections + 100L;
        lines.add("file descriptors: need ~" + fdsNeeded + ", limit " + (fds < 0 ? "unknown" : fds));
        if (fds >= 0 && fds < fdsNeeded) {
            warnings.add("the open-files limit (" + fds + ") is below the " + fdsNeeded + " this run needs; "
                    + "raise ulimit -n or split the load over worker processes");
        }
        String range = read("/proc/sys/net/ipv4/ip_local_port_range");
        String[] parts = range == null ? new String[0] : range.trim().split("\\s+");
        if (parts.length == 2) {
            long ports = Long.parseLong(parts[1]) - Long.parseLong(parts[0]) + 1;
            long perAddress = (connections + Math.max(1, sourceAddresses) - 1) / Math.max(1, sourceAddresses);
            lines.add("ephemeral ports: need ~" + perAddress + " per source address (" + Math.max(1, sourceAddresses)
                    + " address(es)), range " + parts[0] + "-" + parts[1] + " (" + ports + ")");
            if (ports < perAddress) {
                warnings.add("the ephemeral port range holds " + ports + " ports; widen it with sysctl -w "
                        + "net.ipv4.ip_local_port_range=\"1024 65535\" or add --source-addresses 127.0.0.1-127.0.0.8");
            }
        }
        String somaxconn = read("/proc/sys/net/core/somaxconn");
        String synBacklog = read("/proc/sys/net/ipv4/tcp_max_syn_backlog");
        if (somaxconn != null && !somaxconn.isBlank()) {
            lines.add("accept backlog: net.core.somaxconn " + somaxconn.trim() + ", tcp_max_syn_backlog "
                    + (synBacklog == null ? "unknown" : synBacklog.trim()));
            if (Long.parseLong(somaxconn.trim()) < 1024) {
                warnings.add("net.core.somaxconn is " + somaxconn.trim() + "; connect storms may see SYN drops "
                        + "(sysctl -w net.core.somaxconn=4096)");
            }
        }
        return new Preflight(List.copyOf(lines), List.copyOf(warnings));
    }

    private static long openFilesLimit() {
        String limits = read("/proc/self/limits");
        if (limits == null) {
            return -1;
        }
        for (String line : limits.split("\n")) {
            if (line.startsWith("Max open files")) {
                String[] parts = line.substring("Max open files".length()).trim().split("\\s+");
                try {
                    return Long.parseLong(parts[0]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static String read(String path) {
        try {
            // /proc files report size 0: read the stream to its end.
            try (var in = Files.newInputStream(Path.of(path))) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
