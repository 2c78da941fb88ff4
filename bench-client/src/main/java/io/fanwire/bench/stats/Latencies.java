package io.fanwire.bench.stats;

import java.util.ArrayList;
import java.util.List;

import org.HdrHistogram.Histogram;

import io.fanwire.bench.report.LatencySummary;

/** Turns HdrHistograms (microseconds) into the report's {@link LatencySummary}. */
public final class Latencies {

    private static final double[] DISTRIBUTION = {0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 97.5,
            99, 99.5, 99.9, 99.95, 99.99, 99.999, 100};

    private Latencies() {
    }

    /** The summary of {@code histogram}; an empty histogram gives count 0 and zeros. */
    public static LatencySummary summarize(Histogram histogram) {
        if (histogram.getTotalCount() == 0) {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0, 0, 0, List.of());
        }
        List<LatencySummary.Point> points = new ArrayList<>(DISTRIBUTION.length);
        for (double p : DISTRIBUTION) {
            points.add(new LatencySummary.Point(p, value(histogram, p)));
        }
        return new LatencySummary(histogram.getTotalCount(), histogram.getMinValue(), histogram.getMean(),
                value(histogram, 50), value(histogram, 90), value(histogram, 95), value(histogram, 99),
                value(histogram, 99.9), histogram.getMaxValue(), points);
    }

    private static double value(Histogram histogram, double percentile) {
        if (percentile >= 100) {
            return histogram.getMaxValue();
        }
        if (percentile <= 0) {
            return histogram.getMinValue();
        }
        return histogram.getValueAtPercentile(percentile);
    }
}
