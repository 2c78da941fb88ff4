package io.fanwire.bench.report;

import java.util.List;

/**
 * A latency distribution, condensed from an HdrHistogram. All values are in microseconds.
 *
 * @param count        recorded values
 * @param minMicros    smallest value
 * @param meanMicros   arithmetic mean
 * @param p50Micros    median
 * @param p90Micros    90th percentile
 * @param p95Micros    95th percentile
 * @param p99Micros    99th percentile
 * @param p999Micros   99.9th percentile
 * @param maxMicros    largest value
 * @param distribution the percentile distribution for charts (percentile in [0, 100], value), ascending
 */
public record LatencySummary(long count, double minMicros, double meanMicros, double p50Micros, double p90Micros,
                             double p95Micros, double p99Micros, double p999Micros, double maxMicros,
                             List<Point> distribution) {

    public LatencySummary {
        distribution = List.copyOf(distribution);
    }

    /** One point of the percentile distribution. */
    public record Point(double percentile, double valueMicros) {
    }

    /**
     * The value at a named percentile: {@code p50}, {@code p90}, {@code p95}, {@code p99}, {@code p999},
     * {@code min}, {@code max} or {@code mean}.
     *
     * @throws IllegalArgumentException for any other name
     */
    public double valueMicros(String name) {
        return switch (name) {
            case "min" -> minMicros;
            case "mean" -> meanMicros;
            case "p50" -> p50Micros;
            case "p90" -> p90Micros;
            case "p95" -> p95Micros;
            case "p99" -> p99Micros;
            case "p999" -> p999Micros;
            case "max" -> maxMicros;
            default -> throw new IllegalArgumentException(
                    "percentile: " + name + " (expected: min, mean, p50, p90, p95, p99, p999 or max)");
        };
    }
}
