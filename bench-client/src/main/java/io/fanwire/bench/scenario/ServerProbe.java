package io.fanwire.bench.scenario;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the server under test from outside: its Prometheus {@code /metrics}, its {@code /api/info} (with the
 * API key), its {@code /api/publish}, or, for a local process, {@code /proc/<pid>}. Blocking: never call it
 * on an event loop.
 */
public final class ServerProbe {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** A publication under load may wait long for its answer; a timeout would count one that happened as failed. */
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(60);

    private final URI apiBase;
    private final List<URI> metricsUrls;
    private final String apiKey;
    private final long serverPid;
    private final HttpClient http;

    /**
     * @param apiBase   {@code http://host:port} of the server's HTTP API and metrics, or {@code null} for a
     *                  server that has none (a raw peer): then only {@code /proc} is read
     * @param apiKey    the API key, or {@code null}
     * @param serverPid a local server process to read {@code /proc} of, or -1
     */
    public ServerProbe(URI apiBase, String apiKey, long serverPid) {
        this(apiBase, List.of(), apiKey, serverPid);
    }

    /**
     * @param metricsUrls the {@code /metrics} URLs of several nodes, read together and summed (empty: the one at
     *                    {@code apiBase})
     */
    public ServerProbe(URI apiBase, List<URI> metricsUrls, String apiKey, long serverPid) {
        this.apiBase = apiBase;
        this.metricsUrls = List.copyOf(metricsUrls);
        this.apiKey = apiKey;
        this.serverPid = serverPid;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
    }

    public URI apiBase() {
        return apiBase;
    }

    public long serverPid() {
        return serverPid;
    }

    public boolean hasApiKey() {
        return apiBase != null && apiKey != null && !apiKey.isEmpty();
    }

    /**
     * The metrics exposition, by series (name with its labels) — empty when it cannot be read. With several
     * nodes, each series is the sum over the nodes that answered.
     */
    public Metrics metrics() {
        List<Metrics> nodes = nodeMetrics();
        return nodes.size() == 1 ? nodes.getFirst() : Metrics.sum(nodes);
    }

    /** The number of nodes whose metrics are read (1 unless several {@code --metrics-url} were given). */
    public int nodes() {
        return Math.max(1, metricsUrls.size());
    }

    /** Each node's metrics, in the order given; a node that could not be read is empty. */
    public List<Metrics> nodeMetrics() {
        if (!metricsUrls.isEmpty()) {
            return metricsUrls.stream().map(this::scrape).toList();
        }
        return List.of(apiBase == null ? Metrics.EMPTY : scrape(apiBase.resolve("/metrics")));
    }

    private Metrics scrape(URI url) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(TIMEOUT).GET();
            if (apiKey != null && !apiKey.isEmpty()) {
                request.header("X-API-Key", apiKey);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Metrics.EMPTY;
            }
            return Metrics.parse(response.body());
        } catch (IOException e) {
            return Metrics.EMPTY;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Metrics.EMPTY;
        }
    }

    /** {@code /api/info}, or {@code null} without an API key or when it cannot be read. */
    public JsonNode info() {
        if (!hasApiKey() || apiBase == null) {
            return null;
        }
        try {
            HttpRequest request = HttpRequest.newBuilder(apiBase.resolve("/api/info")).timeout(TIMEOUT)
                    .header("X-API-Key", apiKey).GET().build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Publishes through {@code POST /api/publish}; completes with the HTTP status (or fails). */
    public CompletableFuture<Integer> publish(String topic, String type, byte[] dataJson) {
        byte[] body = ("{\"topic\":" + quote(topic) + ",\"type\":" + quote(type) + ",\"data\":"
                + new String(dataJson, StandardCharsets.UTF_8) + "}").getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(apiBase.resolve("/api/publish")).timeout(PUBLISH_TIMEOUT)
                .header("X-API-Key", apiKey == null ? "" : apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode);
    }

    private static String quote(String s) {
        return JSON.getNodeFactory().textNode(s).toString();
    }

    /**
     * The server's resources now: from {@code /proc} when a pid was given, else from {@code /metrics}; with
     * several nodes, the sum of theirs (memory, CPU and descriptors of the whole cluster).
     */
    public ResourceSample sample() {
        List<Metrics> nodes = nodeMetrics();
        if (nodes.size() > 1) {
            ResourceSample total = null;
            for (Metrics m : nodes) {
                ResourceSample one = fromMetrics(m);
                total = total == null ? one : total.plus(one);
            }
            return total;
        }
        Metrics m = nodes.getFirst();
        if (serverPid > 0) {
            ResourceSample proc = procSample(serverPid);
            if (proc != null) {
                long heap = (long) m.sumWhere("jvm_memory_used_bytes", "area=\"heap\"", -1);
                return new ResourceSample(proc.source(), proc.atNanos(), proc.rssBytes(), heap, proc.cpuSeconds(),
                        proc.cpuPercent(), proc.openFds());
            }
        }
        return fromMetrics(m);
    }

    private static ResourceSample fromMetrics(Metrics m) {
        if (m.isEmpty()) {
            return ResourceSample.UNKNOWN;
        }
        double cpuUsage = m.sum("process_cpu_usage");
        double cpus = m.sum("system_cpus");
        return new ResourceSample("metrics", System.nanoTime(), (long) m.sum("process_resident_memory_bytes", -1),
                (long) m.sumWhere("jvm_memory_used_bytes", "area=\"heap\"", -1), -1,
                cpuUsage >= 0 && cpus > 0 ? cpuUsage * cpus * 100 : -1,
                (long) m.sum("process_files_open_files", -1));
    }

    static ResourceSample procSample(long pid) {
        try {
            Path dir = Path.of("/proc", Long.toString(pid));
            long rss = -1;
            for (String line : Files.readAllLines(dir.resolve("status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            String stat = Files.readString(dir.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[11], [12]: utime, stime in clock ticks (field 14 and 15 of stat(5)); USER_HZ is 100 on Linux.
            double cpuSeconds = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
            long fds;
            try (var list = Files.list(dir.resolve("fd"))) {
                fds = list.count();
            } catch (IOException e) {
                fds = -1;
            }
            return new ResourceSample("proc", System.nanoTime(), rss, -1, cpuSeconds, -1, fds);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * A point-in-time reading of the server's resources; -1 where unknown.
     *
     * @param source     {@code proc}, {@code metrics} or {@code none}
     * @param atNanos    when it was taken
     * @param rssBytes   resident memory
     * @param heapBytes  JVM heap in use
     * @param cpuSeconds cumulative CPU time ({@code proc} only)
     * @param cpuPercent recent CPU use, 100 = one core ({@code metrics} only)
     * @param openFds    open file descriptors
     */
    public record ResourceSample(String source, long atNanos, long rssBytes, long heapBytes, double cpuSeconds,
                                 double cpuPercent, long openFds) {
        static final ResourceSample UNKNOWN = new ResourceSample("none", 0, -1, -1, -1, -1, -1);

        /** Two nodes' readings together: each figure summed, unknown when either is unknown. */
        ResourceSample plus(ResourceSample o) {
            return new ResourceSample(source.equals(o.source) ? source : "none", Math.max(atNanos, o.atNanos),
                    add(rssBytes, o.rssBytes), add(heapBytes, o.heapBytes), add(cpuSeconds, o.cpuSeconds),
                    add(cpuPercent, o.cpuPercent), add(openFds, o.openFds));
        }

        private static long add(long a, long b) {
            return a < 0 || b < 0 ? -1 : a + b;
        }

        private static double add(double a, double b) {
            return a < 0 || b < 0 ? -1 : a + b;
        }
    }

    /** A parsed Prometheus text exposition. */
    public record Metrics(Map<String, Double> series) {

        static final Metrics EMPTY = new Metrics(Map.of());

        /**
         * Several nodes' expositions as one: each series summed over the nodes that have it. Counters and
         * gauges of amounts (connections, bytes) add up; a node that could not be read makes the whole empty,
         * so that no figure silently counts only part of the cluster.
         */
        public static Metrics sum(List<Metrics> nodes) {
            Map<String, Double> series = new HashMap<>();
            for (Metrics m : nodes) {
                if (m.isEmpty()) {
                    return EMPTY;
                }
                m.series.forEach((k, v) -> series.merge(k, v, Double::sum));
            }
            return new Metrics(Map.copyOf(series));
        }

        public boolean isEmpty() {
            return series.isEmpty();
        }

        /** Parses the text format: {@code name{labels} value [timestamp]} lines; comments skipped. */
        public static Metrics parse(String text) {
            Map<String, Double> series = new HashMap<>();
            for (String line : text.split("\n")) {
                if (line.isEmpty() || line.charAt(0) == '#') {
                    continue;
                }
                int brace = line.indexOf('{');
                int end = brace >= 0 ? line.indexOf('}', brace) + 1 : line.indexOf(' ');
                if (end <= 0 || end >= line.length()) {
                    continue;
                }
                String key = line.substring(0, end);
                String[] rest = line.substring(end).trim().split(" ");
                try {
                    double value = Double.parseDouble(rest[0]);
                    if (!Double.isNaN(value)) {
                        series.put(key, value);
                    }
                } catch (NumberFormatException ignored) {
                    // a value Prometheus allows but that is no number we can use
                }
            }
            return new Metrics(Map.copyOf(series));
        }

        /** The sum of every series of {@code name} (any labels), or 0 when there is none. */
        public double sum(String name) {
            return sum(name, 0);
        }

        /** The sum of every series of {@code name}, or {@code absent} when there is none. */
        public double sum(String name, double absent) {
            return sumWhere(name, null, absent);
        }

        /** The sum of the series of {@code name} whose labels contain {@code label} (e.g. {@code area="heap"}). */
        public double sumWhere(String name, String label, double absent) {
            double total = 0;
            boolean found = false;
            for (Map.Entry<String, Double> e : series.entrySet()) {
                String key = e.getKey();
                if (key.equals(name) || key.startsWith(name + "{")) {
                    if (label == null || key.contains(label)) {
                        total += e.getValue();
                        found = true;
                    }
                }
            }
            return found ? total : absent;
        }
    }
}
