package io.fanwire.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class SvgTest {

    @Test
    void thinningKeepsDipsAndSpikes() {
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < 3600; i++) {
            points.add(new double[] {i, i == 1234 ? 0 : i == 2345 ? 90_000 : 50_000});
        }
        List<double[]> thin = Svg.decimate(points, 720);
        assertThat(thin.size()).isLessThanOrEqualTo(720);
        assertThat(thin).anySatisfy(p -> assertThat(p).containsExactly(1234, 0))
                .anySatisfy(p -> assertThat(p).containsExactly(2345, 90_000));
        assertThat(thin).extracting(p -> p[0]).isSorted();
        assertThat(Svg.decimate(points.subList(0, 10), 720)).hasSize(10);
    }

    @Test
    void niceAxes() {
        Svg.Axis axis = Svg.Axis.linear("ms", 0, 11.8, Figures::plain);
        assertThat(axis.ticks()).containsExactly(0.0, 2.5, 5.0, 7.5, 10.0, 12.5);
        assertThat(Svg.Axis.percentile(4).ticks()).extracting(t -> Svg.Axis.percentile(4).label().apply(t))
                .containsExactly("0", "90", "99", "99.9", "99.99");
        assertThat(Svg.Axis.percentilePosition(99.9, 4)).isEqualTo(3.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Svg.Axis.percentilePosition(100, 4)).isEqualTo(4.0);
    }

    @Test
    void crowdedBarLabelsAreSlanted() {
        List<String> tiers = List.of("1 pub → 10000 subs", "2 pubs → 10000 subs", "4 pubs → 10000 subs",
                "8 pubs → 10000 subs", "16 pubs → 10000 subs", "32 pubs → 10000 subs");
        String chart = Svg.barChart("x", tiers, List.of(new Svg.Bars("a", new double[] {1, 2, 3, 4, 5, 6}, "#000")),
                "per second", Figures::rate);
        assertThat(chart).contains("rotate(-20)");
        String roomy = Svg.barChart("x", List.of("100", "1000"), List.of(new Svg.Bars("a", new double[] {1, 2}, "#000")),
                "per second", Figures::rate);
        assertThat(roomy).doesNotContain("rotate(-20)");
    }
}
