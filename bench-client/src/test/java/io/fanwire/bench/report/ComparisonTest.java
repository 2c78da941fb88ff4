package io.fanwire.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ComparisonTest {

    private static TierResult tier(double rate, double p50Ms, double p99Ms, long lost, long received) {
        LatencySummary rtt = new LatencySummary(received, 10, p50Ms * 1000, p50Ms * 1000, p99Ms * 1000, p99Ms * 1000,
                p99Ms * 1000, p99Ms * 1000, p99Ms * 1000, List.of());
        return new TierResult("100 conns", 100, Map.of(), 10,
                Map.of(Metric.SENT, received + lost, Metric.RECEIVED, received, Metric.LOST, lost, Metric.ERRORS, 0L),
                Map.of(Metric.SERVER_RECEIVED_PER_S, rate), Map.of(Metric.RTT, rtt), List.of(),
                new ServerResources("metrics", 100 << 20, 200 << 20, -1, -1, 2.0, 10), List.of());
    }

    private static ScenarioResult run(TierResult tier) {
        return new ScenarioResult("ping-latency", "Ping", "m", false, List.of(tier), List.of());
    }

    @Test
    void eachFigureHasAMedianRatioAndTheSpreadOfThePairs() {
        Comparison c = Comparison.of("ping-latency", "uws", "cmd",
                List.of(run(tier(1000, 1, 4, 0, 100)), run(tier(1200, 2, 5, 0, 100)), run(tier(900, 1, 3, 0, 100))),
                List.of(run(tier(1000, 2, 4, 0, 100)), run(tier(1000, 2, 4, 0, 100)), run(tier(1000, 2, 4, 10, 90))),
                List.of());

        Comparison.Tier t = c.tiers().getFirst();
        Comparison.Row rate = t.rows().getFirst();
        assertThat(rate.name()).isEqualTo("server_received/s");
        assertThat(rate.ratios()).containsExactly(1.0, 1.2, 0.9);
        assertThat(rate.ratioMedian().getAsDouble()).isEqualTo(1.0);
        assertThat(rate.ratioMin().getAsDouble()).isEqualTo(0.9);
        assertThat(rate.ratioMax().getAsDouble()).isEqualTo(1.2);
        assertThat(rate.standing()).isEqualTo("level");

        Comparison.Row p50 = t.rows().get(1);
        assertThat(p50.name()).isEqualTo("rtt p50 (ms)");
        assertThat(p50.ratioMedian().getAsDouble()).isEqualTo(0.5);
        assertThat(p50.standing()).as("lower latency is better").isEqualTo("ahead");
        Comparison.Row p99 = t.rows().get(2);
        assertThat(p99.ratioMedian().getAsDouble()).isEqualTo(1.0);
        assertThat(p99.standing()).isEqualTo("level");
        Comparison.Row cpu = t.rows().get(4);
        assertThat(cpu.name()).isEqualTo("server CPU (s)");
        assertThat(cpu.standing()).as("2 s against 2 s").isEqualTo("level");

        Comparison.Row mixed = new Comparison.Row("x", true, new double[] {1, 3, 1.5}, new double[] {2, 1, 1});
        assertThat(mixed.ratioMedian().getAsDouble()).isEqualTo(1.5);
        assertThat(mixed.standing()).as("one pair says behind, two ahead").isEqualTo("unclear");
        Comparison.Row behind = new Comparison.Row("x", true, new double[] {1, 1, 1}, new double[] {2, 1.5, 1.1});
        assertThat(behind.standing()).isEqualTo("behind");

        assertThat(t.fanwireLossPercent()).isZero();
        assertThat(t.peerLossPercent()).isCloseTo(100.0 * 10 / 300, within(1e-9));
        assertThat(t.rows()).extracting(Comparison.Row::name).contains("server RSS at end (MiB)", "server CPU (s)");
        assertThat(c.text()).contains("Fanwire ÷ uws", "1.00 [0.90 – 1.20]", "uws 3.333 %");
        assertThat(c.markdown()).contains("| server_received/s | 1,000 | 1,000 | 1.00 [0.90 – 1.20] | level |");
    }

    @Test
    void aFigureMeasuredOnOneSideOnlyIsLeftOut() {
        TierResult noServer = new TierResult("t", 1, Map.of(), 1, Map.of(), Map.of(Metric.SENT_PER_S, 5.0), Map.of(),
                List.of(), null, List.of());
        Comparison c = Comparison.of("s", "bun", "cmd", List.of(run(noServer), run(noServer), run(noServer)),
                List.of(run(noServer), run(noServer), run(noServer)), List.of());
        assertThat(c.tiers().getFirst().rows()).extracting(Comparison.Row::name).containsExactly("sent/s");
        assertThat(Double.isNaN(c.tiers().getFirst().fanwireLossPercent())).isTrue();
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Comparison.median(new double[] {4, 1, 3, 2}).getAsDouble()).isEqualTo(2.5);
        assertThat(Comparison.median(new double[] {Double.NaN})).isEmpty();
    }
}
