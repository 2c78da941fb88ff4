package io.fanwire.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class PacerTest {

    private static final long START = 1_000_000_000L;

    @Test
    void connectionsArePhaseShiftedSoTheAggregateRateIsEven() {
        // 4 connections sharing 400/s: each sends every 10 ms, starting 2.5 ms apart.
        Pacer pacer = new Pacer(new RateShape.Constant(400), 4, START, Duration.ofSeconds(1), Duration.ofMillis(5));
        List<Long> firsts = new ArrayList<>();
        for (int slot = 0; slot < 4; slot++) {
            firsts.add(pacer.firstIntended(slot) - START);
        }
        assertThat(firsts).containsExactly(0L, 2_500_000L, 5_000_000L, 7_500_000L);
        assertThat(pacer.nextIntended(START) - START).isEqualTo(10_000_000L);
    }

    @Test
    void intendedTimesFollowTheShapeNotTheActualSends() {
        Pacer pacer = new Pacer(RateShape.parse("step:100x1s,200x1s"), 1, START, Duration.ofSeconds(2),
                Duration.ofMillis(5));
        long t = pacer.firstIntended(0);
        int count = 0;
        while (t < pacer.endNanos()) {
            count++;
            t = pacer.nextIntended(t);
        }
        assertThat(count).isEqualTo(300);
    }

    @Test
    void shapesParse() {
        assertThat(RateShape.parse("250")).isEqualTo(new RateShape.Constant(250));
        assertThat(RateShape.parse("ramp:10-100/5s").ratePerSecond(Duration.ofMillis(2500).toNanos())).isEqualTo(55);
        RateShape spike = RateShape.parse("spike:10-1000@2s/500ms");
        assertThat(spike.ratePerSecond(Duration.ofMillis(1999).toNanos())).isEqualTo(10);
        assertThat(spike.ratePerSecond(Duration.ofMillis(2200).toNanos())).isEqualTo(1000);
        assertThat(spike.ratePerSecond(Duration.ofMillis(2500).toNanos())).isEqualTo(10);
        assertThat(RateShape.parse("step:1x1s,2x2s").length()).isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> RateShape.parse("zigzag:1")).hasMessageContaining("expected: constant:R");
        assertThatThrownBy(() -> RateShape.parse("0")).hasMessageContaining("expected: constant:R");
    }

    @Test
    void tiersAndDurationsParse() {
        assertThat(Tiers.parse("100, 1k,2K")).containsExactly(100, 1000, 2000);
        assertThatThrownBy(() -> Tiers.parse("0")).hasMessageContaining("expected: positive counts");
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("3")).isEqualTo(Duration.ofSeconds(3));
    }
}
