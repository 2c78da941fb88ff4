package io.fanwire.bench.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.bench.stats.LatencyRecorder;
import io.fanwire.bench.stats.SliceStats;

class SliceCodecTest {

    private static Histogram random(long seed, int values) {
        Histogram h = LatencyRecorder.newHistogram();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < values; i++) {
            // Microseconds from 1 us to ~10 s, skewed like latencies.
            h.recordValue((long) Math.exp(random.nextDouble() * 16));
        }
        return h;
    }

    private static SliceStats slice(long seed, long sent) {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("sent", sent);
        counters.put("received", sent - 1);
        Map<String, Histogram> histograms = new LinkedHashMap<>();
        histograms.put("rtt", random(seed, 5_000));
        return new SliceStats(counters, histograms);
    }

    @Test
    void aSliceSurvivesTheChannelExactly() throws Exception {
        SliceStats slice = slice(1, 5_000);
        // Through text, as on the channel.
        String line = new ObjectMapper().writeValueAsString(SliceCodec.encode(slice));
        SliceStats decoded = SliceCodec.decode(new ObjectMapper().readTree(line));

        assertThat(decoded.counters()).containsExactlyEntriesOf(slice.counters());
        Histogram rtt = decoded.histograms().get("rtt");
        assertThat(rtt).isEqualTo(slice.histograms().get("rtt"));
        assertThat(rtt.getTotalCount()).isEqualTo(5_000);
        assertThat(rtt.getValueAtPercentile(99)).isEqualTo(slice.histograms().get("rtt").getValueAtPercentile(99));
    }

    @Test
    void decodedSlicesMergeToWhatOneRecorderWouldHaveSeen() {
        SliceStats a = slice(1, 5_000);
        SliceStats b = slice(2, 7_000);
        Histogram together = random(1, 5_000);
        together.add(random(2, 5_000));

        SliceStats merged = SliceCodec.decode(SliceCodec.encode(a)).merge(SliceCodec.decode(SliceCodec.encode(b)));

        assertThat(merged.counter("sent")).isEqualTo(12_000);
        assertThat(merged.counter("received")).isEqualTo(11_998);
        assertThat(merged.histograms().get("rtt")).isEqualTo(together);
        assertThat(merged.histograms().get("rtt").getTotalCount()).isEqualTo(10_000);
    }

    @Test
    void anEmptyHistogramAndGarbageAreHandled() {
        Histogram empty = LatencyRecorder.newHistogram();
        assertThat(SliceCodec.decode(SliceCodec.encode(empty)).getTotalCount()).isZero();
        assertThatThrownBy(() -> SliceCodec.decode("bm90IGEgaGlzdG9ncmFt"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("histogram:");
        JsonNode nothing = new ObjectMapper().createObjectNode();
        assertThat(SliceCodec.decode(nothing).counters()).isEmpty();
    }
}
