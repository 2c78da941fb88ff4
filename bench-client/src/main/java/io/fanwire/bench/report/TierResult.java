package io.fanwire.bench.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The figures of one tier of a scenario.
 *
 * <p>Counters, rates and latencies are maps keyed by the names in {@link Metric}, so that each scenario
 * reports what it measures without empty columns, and the writers render any of them. Maps keep their
 * insertion order (reports show columns in that order).
 *
 * @param label       what distinguishes this tier, e.g. {@code "1000 conns"} or {@code "64 B msgpack"}
 * @param connections connections the tier asked for
 * @param parameters  the tier's parameters (payload bytes, encoding, rate, mode…), by name
 * @param durationSeconds measured duration (excluding ramp-up and teardown)
 * @param counters    counts, keyed by {@link Metric} names ({@code sent}, {@code server_received}, {@code lost}…)
 * @param rates       per-second rates, keyed by {@link Metric} names ({@code server_received_per_s}…)
 * @param latencies   latency distributions keyed by {@link Metric} names ({@code rtt}, {@code rtt_uncorrected}…)
 * @param timeline    samples over the tier, at least one per second when the tier lasts that long
 * @param server      the server's resources around the tier, or {@code null} when they could not be read
 * @param notes       tier-specific remarks (e.g. "12 sends could not go out on time")
 */
public record TierResult(String label, int connections, Map<String, String> parameters, double durationSeconds,
                         Map<String, Long> counters, Map<String, Double> rates,
                         Map<String, LatencySummary> latencies, List<TimelineSample> timeline,
                         ServerResources server, List<String> notes) {

    public TierResult {
        Objects.requireNonNull(label, "label");
        parameters = unmodifiableCopy(parameters);
        counters = unmodifiableCopy(counters);
        rates = unmodifiableCopy(rates);
        latencies = unmodifiableCopy(latencies);
        timeline = List.copyOf(timeline);
        notes = List.copyOf(notes);
    }

    /** A counter, or 0 when the scenario does not count it. */
    public long counter(String name) {
        return counters.getOrDefault(name, 0L);
    }

    private static <V> Map<String, V> unmodifiableCopy(Map<String, V> source) {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(source));
    }
}
