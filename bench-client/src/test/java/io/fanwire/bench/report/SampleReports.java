package io.fanwire.bench.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Realistic run reports for the writers' tests: what a run of several scenarios against a local Fanwire on the
 * development machine looks like, with one failed check.
 */
final class SampleReports {

    static final Instant STARTED = Instant.parse("2026-11-23T20:00:00Z");

    private SampleReports() {
    }

    /** Four scenarios: paced ping latency (3 tiers), closed-loop echo, fan-out, HTTP; one failed check. */
    static RunReport realistic() {
        return new RunReport(RunReport.SCHEMA_VERSION, STARTED, STARTED.plusSeconds(95), environment(), target(),
                List.of(pingLatency(), echoPingPong(), fanout(), http()),
                List.of(new CheckResult("p99<5ms", "ping-latency/100 conns", "0.91ms", true),
                        new CheckResult("p99<5ms", "ping-latency/1000 conns", "2.37ms", true),
                        new CheckResult("p99<5ms", "ping-latency/5000 conns", "11.8ms", false),
                        new CheckResult("errors==0", "ping-latency/5000 conns", "3", false),
                        new CheckResult("fanout:gaps==0", "fanout/1 pub → 1000 subs", "0", true)));
    }

    /** One scenario, one tier, no checks and no timeline: the least a report can hold. */
    static RunReport minimal() {
        TierResult tier = new TierResult("10 conns", 10, Map.of(), 5.0, Map.of("sent", 500L),
                Map.of("sent_per_s", 100.0), Map.of(), List.of(), null, List.of());
        return new RunReport(RunReport.SCHEMA_VERSION, STARTED, STARTED.plusSeconds(6), environment(), target(),
                List.of(new ScenarioResult("connect", "Connect", "Connections only.", false, List.of(tier),
                        List.of())),
                List.of());
    }

    static RunEnvironment environment() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("url", "ws://127.0.0.1:8080/ws");
        options.put("duration", "10s");
        options.put("encoding", "json");
        options.put("token", "****");
        options.put("workers", "1");
        return new RunEnvironment("bench-01", "Linux 6.1.0-27-amd64 amd64", 2, 24L << 30,
                "Eclipse Adoptium 25.0.1+8-LTS",
                List.of("-XX:+UseCompactObjectHeaders", "-XX:+UseZGC", "--enable-native-access=ALL-UNNAMED"),
                "0.1.0-SNAPSHOT", 1,
                "fanwire bench all --url ws://127.0.0.1:8080/ws --tiers 100,1000,5000 --duration 10s --token ****",
                options);
    }

    static RunTarget target() {
        return new RunTarget("ws://127.0.0.1:8080/ws", "fanwire", "0.1.0-SNAPSHOT", 41872);
    }

    static ScenarioResult pingLatency() {
        List<TierResult> tiers = new ArrayList<>();
        int[] conns = {100, 1000, 5000};
        double[][] rtt = {{180, 420, 910, 1900, 3100}, {650, 1500, 2370, 4800, 9200}, {2100, 6400, 11800, 24000, 61000}};
        for (int i = 0; i < conns.length; i++) {
            int c = conns[i];
            long sent = c * 10L * 10;
            long lost = i == 2 ? 42 : 0;
            long errors = i == 2 ? 3 : 0;
            Map<String, Long> counters = new LinkedHashMap<>();
            counters.put(Metric.SENT, sent);
            counters.put(Metric.RECEIVED, sent - lost);
            counters.put(Metric.SERVER_RECEIVED, sent - (i == 2 ? 12 : 0));
            counters.put(Metric.LOST, lost);
            counters.put(Metric.ERRORS, errors);
            counters.put(Metric.LATE_SENDS, i == 2 ? 1204L : 0L);
            Map<String, Double> rates = new LinkedHashMap<>();
            rates.put(Metric.SENT_PER_S, sent / 10.0);
            rates.put(Metric.RECEIVED_PER_S, (sent - lost) / 10.0);
            rates.put(Metric.SERVER_RECEIVED_PER_S, (sent - (i == 2 ? 12 : 0)) / 10.0);
            Map<String, LatencySummary> latencies = new LinkedHashMap<>();
            double[] r = rtt[i];
            latencies.put(Metric.RTT, latency(sent - lost, r[0], r[1], r[2], r[3], r[4]));
            latencies.put(Metric.RTT_UNCORRECTED, latency(sent - lost, r[0] * 0.9, r[1] * 0.7, r[2] * 0.45,
                    r[3] * 0.3, r[4] * 0.25));
            Map<String, String> parameters = new LinkedHashMap<>();
            parameters.put("payload_bytes", "64");
            parameters.put("encoding", "json");
            parameters.put("rate_per_conn", "10/s");
            long rssBefore = (90L + 30L * i) << 20;
            ServerResources server = new ServerResources("proc", rssBefore, rssBefore + c * 9_800L,
                    48L << 20, (48L << 20) + c * 2_100L, 2.1 + 4.5 * i, 40 + c);
            tiers.add(new TierResult(c + " conns", c, parameters, 10.0, counters, rates, latencies,
                    timeline(10, c, sent / 10.0, rssBefore, i == 2 ? 3 : 0), server,
                    i == 2 ? List.of("1204 sends could not go out at their intended time") : List.of()));
        }
        return new ScenarioResult("ping-latency", "Ping latency",
                "Each connection sends a paced ping and times the echo from its intended send time.", false,
                tiers, List.of());
    }

    static ScenarioResult echoPingPong() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put(Metric.SENT, 1_128_790L);
        counters.put(Metric.RECEIVED, 1_128_790L);
        counters.put(Metric.SERVER_RECEIVED, 1_128_790L);
        counters.put(Metric.LOST, 0L);
        counters.put(Metric.ERRORS, 0L);
        Map<String, Double> rates = new LinkedHashMap<>();
        rates.put(Metric.SENT_PER_S, 112_879.0);
        rates.put(Metric.RECEIVED_PER_S, 112_879.0);
        rates.put(Metric.SERVER_RECEIVED_PER_S, 112_879.0);
        TierResult tier = new TierResult("100 conns", 100, ordered("payload_bytes", "64", "encoding", "json"), 10.0,
                counters, rates, Map.of(Metric.RTT, latency(1_128_790, 870, 1100, 1390, 2400, 7900)),
                timeline(10, 100, 112_879, -1, 0), null, List.of());
        return new ScenarioResult("echo", "Echo ping-pong",
                "Each connection sends the next message when the previous echo arrived.", true, List.of(tier),
                List.of("The server ran with --dev; JIT warm-up was 5 s."));
    }

    static ScenarioResult fanout() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put(Metric.SERVER_RECEIVED, 10_000L);
        counters.put(Metric.SERVER_DELIVERED, 10_000_000L);
        counters.put(Metric.RECEIVED, 10_000_000L);
        counters.put(Metric.LOST, 0L);
        counters.put(Metric.GAPS, 0L);
        counters.put(Metric.DUPLICATES, 0L);
        counters.put(Metric.ERRORS, 0L);
        counters.put(Metric.SERVER_SLOW_DROPS, 0L);
        Map<String, Double> rates = new LinkedHashMap<>();
        rates.put(Metric.SERVER_RECEIVED_PER_S, 1000.0);
        rates.put(Metric.DELIVERIES_PER_S, 1_000_000.0);
        Map<String, LatencySummary> latencies = new LinkedHashMap<>();
        latencies.put(Metric.DELIVERY, latency(10_000_000, 1200, 2600, 4100, 8800, 15600));
        latencies.put(Metric.DELIVERY_UNCORRECTED, latency(10_000_000, 1150, 2400, 3600, 6100, 12100));
        TierResult tier = new TierResult("1 pub → 1000 subs", 1001,
                ordered("payload_bytes", "256", "encoding", "msgpack", "publish_rate", "1000/s"), 10.0, counters,
                rates, latencies, timeline(10, 1001, 1000, (140L << 20), 0),
                new ServerResources("metrics", 140L << 20, 171L << 20, 60L << 20, 82L << 20, 14.2, 1051),
                List.of());
        return new ScenarioResult("fanout", "Fan-out", "One publisher, many subscribers of one topic; "
                + "latency from the intended publish time to each delivery.", false, List.of(tier), List.of());
    }

    static ScenarioResult http() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("requests", 425_000L);
        counters.put(Metric.HTTP_ERRORS, 0L);
        counters.put(Metric.ERRORS, 0L);
        Map<String, Double> rates = new LinkedHashMap<>();
        rates.put(Metric.REQUESTS_PER_S, 8_500.0);
        TierResult tier = new TierResult("50 conns", 50, Map.of("path", "/api/publish"), 50.0, counters, rates,
                Map.of(Metric.HTTP_LATENCY, latency(425_000, 2000, 6000, 15000, 22000, 38000)),
                timeline(50, 50, 8500, -1, 0), null, List.of());
        return new ScenarioResult("http-publish", "HTTP publish", "POST /api/publish at a constant arrival rate.",
                false, List.of(tier), List.of());
    }

    /** The same run, but at 1000 connections: throughput -20 %, p50 +5 %, p99 +50 %, p99.9 -20 %, 2 errors. */
    static RunReport slowerAt1000Conns(RunReport report) {
        List<ScenarioResult> scenarios = new ArrayList<>();
        for (ScenarioResult s : report.scenarios()) {
            if (s.scenario().equals("http-publish")) {
                continue;
            }
            List<TierResult> tiers = new ArrayList<>();
            for (TierResult t : s.tiers()) {
                if (s.scenario().equals("ping-latency") && t.label().equals("1000 conns")) {
                    Map<String, Double> rates = new LinkedHashMap<>(t.rates());
                    rates.put(Metric.SERVER_RECEIVED_PER_S, 8_000.0);
                    Map<String, Long> counters = new LinkedHashMap<>(t.counters());
                    counters.put(Metric.ERRORS, 2L);
                    Map<String, LatencySummary> latencies = new LinkedHashMap<>(t.latencies());
                    LatencySummary r = t.latencies().get(Metric.RTT);
                    latencies.put(Metric.RTT, new LatencySummary(r.count(), r.minMicros(), r.meanMicros(),
                            r.p50Micros() * 1.05, r.p90Micros(), r.p95Micros(), r.p99Micros() * 1.5,
                            r.p999Micros() * 0.8, r.maxMicros(), r.distribution()));
                    tiers.add(new TierResult(t.label(), t.connections(), t.parameters(), t.durationSeconds(), counters,
                            rates, latencies, t.timeline(), t.server(), t.notes()));
                } else {
                    tiers.add(t);
                }
            }
            if (s.scenario().equals("ping-latency")) {
                TierResult last = s.tiers().getLast();
                tiers.add(new TierResult("10000 conns", 10_000, last.parameters(), 10, last.counters(), last.rates(),
                        last.latencies(), List.of(), null, List.of()));
            }
            scenarios.add(new ScenarioResult(s.scenario(), s.title(), s.measures(), s.closedLoop(), tiers, s.notes()));
        }
        return new RunReport(report.schemaVersion(), report.startedAt().plusSeconds(86_400),
                report.finishedAt().plusSeconds(86_400), report.environment(), report.target(), scenarios, List.of());
    }

    static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** A distribution shaped like a real one: piecewise linear on HdrHistogram's log percentile axis. */
    static LatencySummary latency(long count, double p50, double p90, double p99, double p999, double max) {
        double min = p50 * 0.35;
        double[] xs = {0, Math.log10(2), 1, 2, 3, 4.5};
        double[] ys = {min, p50, p90, p99, p999, max};
        List<LatencySummary.Point> points = new ArrayList<>();
        for (double x = 0; x < 4.5; x += 0.125) {
            double p = 100 * (1 - Math.pow(10, -x));
            points.add(new LatencySummary.Point(round(p), round(interpolate(xs, ys, x))));
        }
        points.add(new LatencySummary.Point(100, max));
        double p95 = interpolate(xs, ys, Math.log10(20));
        return new LatencySummary(count, min, p50 * 1.12, p50, p90, round(p95), p99, p999, max, points);
    }

    private static double interpolate(double[] xs, double[] ys, double x) {
        for (int i = 1; i < xs.length; i++) {
            if (x <= xs[i]) {
                double f = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
                return ys[i - 1] + f * (ys[i] - ys[i - 1]);
            }
        }
        return ys[ys.length - 1];
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static List<TimelineSample> timeline(int seconds, int connections, double rate, long rssStart,
                                                 long errors) {
        List<TimelineSample> samples = new ArrayList<>();
        for (int s = 0; s <= seconds; s++) {
            int open = s == 0 ? connections / 3 : connections;
            double wobble = 1 + 0.06 * Math.sin(s * 1.7);
            double sent = s == 0 ? 0 : round(rate * wobble);
            double received = s == 0 ? 0 : round(rate * wobble * (errors > 0 && s > seconds - 3 ? 0.97 : 1));
            long rss = rssStart < 0 ? -1 : rssStart + (long) (connections * 9_800L * Math.min(1.0, s / 2.0));
            samples.add(new TimelineSample(s, open, sent, received, s > seconds - 2 ? errors : 0, rss,
                    rssStart < 0 ? -1 : round(40 + 30 * wobble)));
        }
        return samples;
    }
}
