package io.fanwire.bench.scenario;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.fanwire.bench.client.HttpLoadClient;
import io.fanwire.bench.client.HttpLoadClient.Outcome;
import io.fanwire.bench.client.HttpLoadClient.Request;
import io.fanwire.bench.load.Tiers;
import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;
import io.fanwire.bench.stats.LatencyRecorder;
import io.netty.handler.codec.http.HttpMethod;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code http}: load on the server's HTTP endpoints, in the shape of Agent Bounty's endpoint table — per
 * endpoint and concurrency, p50/p95/p99, requests per second and errors. Without {@code --rate} each
 * connection sends its next request when the previous answer arrived (closed loop, like autocannon); with
 * {@code --rate} every connection follows a constant-rate schedule and latency counts from the intended send
 * time.
 */
@Command(name = "http", mixinStandardHelpOptions = true,
        description = "Load on HTTP endpoints (health, readiness, metrics, server API): p50/p95/p99, req/s, errors.")
public final class HttpLoad extends BaseScenario {

    /** Default concurrency tiers (Agent Bounty ran 50 and 100). */
    static final String DEFAULT_TIERS = "50,100";

    @Option(names = "--endpoints", paramLabel = "E,E,...", defaultValue = "health,ready,metrics,info",
            description = "Endpoints, each a tier row: health, ready, metrics, info, publish, or a path like /api/info "
                    + "(default: ${DEFAULT-VALUE}).")
    String endpoints = "health,ready,metrics,info";

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "bench.http",
            description = "Topic the publish endpoint publishes to (default: ${DEFAULT-VALUE}).")
    String topic = "bench.http";

    @Override
    public String name() {
        return "http";
    }

    @Override
    public String title() {
        return "HTTP endpoints";
    }

    @Override
    public String measures() {
        return closedLoop()
                ? "Requests per second and latency per endpoint over N keep-alive connections, each sending its next "
                        + "request when the previous answer arrived (closed loop); errors are non-2xx answers and "
                        + "failed connections."
                : "Latency per endpoint from the intended send time of a constant-rate schedule per connection "
                        + "(--rate per connection), and the requests per second the server answered; errors are "
                        + "non-2xx answers and failed connections.";
    }

    @Override
    public boolean closedLoop() {
        return common.rate == null || common.rate <= 0;
    }

    @Override
    public ScenarioResult run() throws Exception {
        List<Integer> concurrency = Tiers.parse(common.tiersOr(DEFAULT_TIERS));
        Map<String, Request> requests = requests();
        double rate = closedLoop() ? 0 : common.rate;
        List<TierResult> tiers = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (!common.probe().hasApiKey() && requests.keySet().stream().anyMatch(HttpLoad::needsKey)) {
            notes.add("no --api-key: the metrics and /api endpoints answer 401, counted as errors");
        }
        ServerProbe probe = common.probe();
        try (HttpLoadClient client = new HttpLoadClient(common.apiBase(), common.ioThreads)) {
            for (Map.Entry<String, Request> e : requests.entrySet()) {
                for (int n : concurrency) {
                    LatencyRecorder corrected = new LatencyRecorder();
                    LatencyRecorder uncorrected = new LatencyRecorder();
                    ServerProbe.ResourceSample before = probe.sample();
                    HttpLoadClient.Tally tally = HttpLoadClient.Tally.create();
                    TierMonitor monitor = new TierMonitor(probe, before, () -> n, tally.sent()::sum,
                            tally.completed()::sum, tally::errors)
                .progress(common.progress(), name(), common.duration());
                    Outcome o = client.run(e.getValue(), n, common.duration, rate, common.lateThreshold,
                            DRAIN_TIMEOUT, corrected, uncorrected, tally);
                    TierFigures f = new TierFigures(e.getKey() + " × " + n, n)
                            .parameter("endpoint", e.getKey())
                            .parameter("method", e.getValue().method().name())
                            .parameter("path", e.getValue().path())
                            .parameter("mode", rate > 0 ? "paced " + rate + " req/s per connection" : "closed loop")
                            .seconds(o.seconds())
                            .counter(Metric.SENT, o.sent())
                            .counter(Metric.RECEIVED, o.completed())
                            .counter(Metric.HTTP_ERRORS, o.non2xx())
                            .counter(Metric.ERRORS, o.non2xx() + o.connectErrors())
                            .rate(Metric.REQUESTS_PER_S, o.completed() / Math.max(1e-9, o.seconds()))
                            .latency(Metric.HTTP_LATENCY, corrected.total());
                    if (rate > 0) {
                        f.counter(Metric.LATE_SENDS, o.late())
                                .latency(Metric.HTTP_LATENCY + "_uncorrected", uncorrected.total());
                        if (o.late() > 0) {
                            f.note(o.late() + " requests went out later than " + common.lateThreshold
                                    + " after their intended time (the server or the client could not keep up)");
                        }
                    }
                    if (o.connectErrors() > 0) {
                        f.note(o.connectErrors() + " connections failed or were closed during the tier");
                    }
                    f.server(monitor.finish()).timeline(monitor.timeline());
                    tiers.add(f.build());
                    cooldown();
                }
            }
        }
        return new ScenarioResult(name(), title(), measures(), closedLoop(), tiers, notes);
    }

    /** The requests of {@code --endpoints}, by name, in the given order. */
    Map<String, Request> requests() {
        Map<String, Request> out = new LinkedHashMap<>();
        Map<String, String> key = common.apiKey == null || common.apiKey.isEmpty()
                ? Map.of() : Map.of("X-API-Key", common.apiKey);
        for (String raw : endpoints.split(",")) {
            String name = raw.trim();
            if (name.isEmpty()) {
                continue;
            }
            Request r = switch (name.toLowerCase(Locale.ROOT)) {
                case "health", "live" -> new Request(HttpMethod.GET, "/health/live", Map.of(), new byte[0]);
                case "ready" -> new Request(HttpMethod.GET, "/health/ready", Map.of(), new byte[0]);
                case "metrics" -> new Request(HttpMethod.GET, "/metrics", key, new byte[0]);
                case "info" -> new Request(HttpMethod.GET, "/api/info", key, new byte[0]);
                case "publish" -> new Request(HttpMethod.POST, "/api/publish", key, publishBody());
                default -> {
                    if (!name.startsWith("/")) {
                        throw new IllegalArgumentException("endpoints: " + name
                                + " (expected: health, ready, metrics, info, publish or a path starting with /)");
                    }
                    yield new Request(HttpMethod.GET, name, name.startsWith("/api") ? key : Map.of(), new byte[0]);
                }
            };
            out.put(name, r);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("endpoints: " + endpoints + " (expected: at least one)");
        }
        return out;
    }

    private byte[] publishBody() {
        String quotedTopic = '"' + topic.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        String pad = "x".repeat(Math.max(0, common.payload - 16));
        return ("{\"topic\":" + quotedTopic + ",\"type\":\"bench\",\"data\":{\"pad\":\"" + pad + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static boolean needsKey(String endpoint) {
        return endpoint.equals("metrics") || endpoint.equals("info") || endpoint.equals("publish")
                || endpoint.startsWith("/api");
    }
}
