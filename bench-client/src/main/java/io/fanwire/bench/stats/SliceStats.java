package io.fanwire.bench.stats;

import java.util.LinkedHashMap;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * What one slice of a tier measured (all connections of this process, or one worker's share): counters and
 * latency histograms by metric name. Slices of the same tier {@link #merge} into the tier's figures, so the
 * work on connections stays separable from the run that orchestrates it.
 *
 * @param counters   counts by metric name
 * @param histograms latency distributions (microseconds) by metric name
 */
public record SliceStats(Map<String, Long> counters, Map<String, Histogram> histograms) {

    public SliceStats {
        counters = new LinkedHashMap<>(counters);
        Map<String, Histogram> copies = new LinkedHashMap<>();
        histograms.forEach((name, h) -> copies.put(name, h.copy()));
        histograms = copies;
    }

    /** An empty slice. */
    public static SliceStats empty() {
        return new SliceStats(Map.of(), Map.of());
    }

    /** The sum of this slice and {@code other}: counters added, histograms merged. */
    public SliceStats merge(SliceStats other) {
        Map<String, Long> c = new LinkedHashMap<>(counters);
        other.counters.forEach((name, value) -> c.merge(name, value, Long::sum));
        Map<String, Histogram> h = new LinkedHashMap<>();
        histograms.forEach((name, value) -> h.put(name, value.copy()));
        other.histograms.forEach((name, value) -> h.merge(name, value.copy(), (a, b) -> {
            a.add(b);
            return a;
        }));
        return new SliceStats(c, h);
    }

    /** A counter, or 0. */
    public long counter(String name) {
        return counters.getOrDefault(name, 0L);
    }
}
