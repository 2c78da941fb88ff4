package io.fanwire.bench.scenario;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;

import io.fanwire.bench.report.LatencySummary;
import io.fanwire.bench.report.ServerResources;
import io.fanwire.bench.report.TierResult;
import io.fanwire.bench.report.TimelineSample;
import io.fanwire.bench.stats.Latencies;
import io.fanwire.bench.stats.SliceStats;

/** Collects one tier's figures, then builds its {@link TierResult}. */
final class TierFigures {

    private final String label;
    private final int connections;
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private final Map<String, Long> counters = new LinkedHashMap<>();
    private final Map<String, Double> rates = new LinkedHashMap<>();
    private final Map<String, LatencySummary> latencies = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private List<TimelineSample> timeline = List.of();
    private ServerResources server;
    private double seconds;

    TierFigures(String label, int connections) {
        this.label = label;
        this.connections = connections;
    }

    TierFigures parameter(String name, Object value) {
        parameters.put(name, String.valueOf(value));
        return this;
    }

    TierFigures counter(String name, long value) {
        counters.put(name, value);
        return this;
    }

    TierFigures counters(Map<String, Long> values) {
        counters.putAll(values);
        return this;
    }

    long counter(String name) {
        return counters.getOrDefault(name, 0L);
    }

    TierFigures rate(String name, double value) {
        rates.put(name, value);
        return this;
    }

    TierFigures latency(String name, Histogram histogram) {
        latencies.put(name, Latencies.summarize(histogram));
        return this;
    }

    LatencySummary latency(String name) {
        return latencies.get(name);
    }

    /** Adds a slice's counters and latencies. */
    TierFigures slice(SliceStats slice) {
        counters.putAll(slice.counters());
        slice.histograms().forEach(this::latency);
        return this;
    }

    TierFigures seconds(double seconds) {
        this.seconds = seconds;
        return this;
    }

    TierFigures timeline(List<TimelineSample> timeline) {
        this.timeline = List.copyOf(timeline);
        return this;
    }

    TierFigures server(ServerResources server) {
        this.server = server;
        return this;
    }

    TierFigures note(String note) {
        notes.add(note);
        return this;
    }

    TierResult build() {
        return new TierResult(label, connections, parameters, seconds, counters, rates, latencies, timeline, server,
                notes);
    }
}
