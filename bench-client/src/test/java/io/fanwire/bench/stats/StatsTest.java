package io.fanwire.bench.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import io.fanwire.bench.report.LatencySummary;

class StatsTest {

    @Test
    void recorderKeepsMicrosecondsAndSumsIntervalsIntoTheTotal() {
        LatencyRecorder recorder = new LatencyRecorder();
        for (int i = 1; i <= 100; i++) {
            recorder.recordNanos(i * 1_000_000L);
        }
        Histogram first = recorder.interval();
        assertThat(first.getTotalCount()).isEqualTo(100);
        recorder.recordNanos(-5);
        assertThat(recorder.interval().getTotalCount()).isEqualTo(1);
        Histogram total = recorder.total();
        assertThat(total.getTotalCount()).isEqualTo(101);
        assertThat(total.getMinValue()).isZero();

        LatencySummary summary = Latencies.summarize(total);
        assertThat(summary.count()).isEqualTo(101);
        assertThat(summary.p50Micros()).isBetween(49_000.0, 51_000.0);
        assertThat(summary.maxMicros()).isBetween(99_900.0, 100_100.0);
        assertThat(summary.distribution()).isNotEmpty();
        assertThat(summary.distribution().getLast().percentile()).isEqualTo(100.0);
    }

    @Test
    void slicesMergeCountersAndHistograms() {
        Histogram a = LatencyRecorder.newHistogram();
        a.recordValue(100);
        Histogram b = LatencyRecorder.newHistogram();
        b.recordValue(300);
        b.recordValue(500);
        SliceStats one = new SliceStats(Map.of("sent", 10L), Map.of("rtt", a));
        SliceStats two = new SliceStats(Map.of("sent", 5L, "lost", 1L), Map.of("rtt", b));

        SliceStats merged = one.merge(two);

        assertThat(merged.counters()).containsEntry("sent", 15L).containsEntry("lost", 1L);
        assertThat(merged.histograms().get("rtt").getTotalCount()).isEqualTo(3);
        assertThat(one.histograms().get("rtt").getTotalCount()).isEqualTo(1);
        assertThat(Latencies.summarize(LatencyRecorder.newHistogram()).count()).isZero();
    }

    @Test
    void countersKeepCreationOrder() {
        Counters counters = new Counters();
        counters.add("b", 2);
        counters.add("a", 1);
        counters.counter("b").increment();
        assertThat(counters.snapshot()).containsExactly(Map.entry("b", 3L), Map.entry("a", 1L));
        assertThat(counters.get("missing")).isZero();
    }
}
