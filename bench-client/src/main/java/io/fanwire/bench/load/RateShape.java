package io.fanwire.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An aggregate send rate (messages per second over all connections) as a function of time since the start:
 * the MCP-style load patterns {@code constant}, {@code ramp}, {@code spike} and {@code step}.
 */
public sealed interface RateShape {

    /** Rates below this are treated as this, so that a schedule always advances. */
    double MIN_RATE = 0.001;

    /** The rate at {@code elapsedNanos} after the start, in messages per second. */
    double ratePerSecond(long elapsedNanos);

    /** How long the shape lasts, or {@code null} when it is unbounded (the tier's duration decides). */
    default Duration length() {
        return null;
    }

    /** A constant rate. */
    record Constant(double rate) implements RateShape {
        public Constant {
            positive(rate, "rate");
        }

        @Override
        public double ratePerSecond(long elapsedNanos) {
            return rate;
        }
    }

    /** From {@code from} to {@code to} linearly over {@code over}, then {@code to}. */
    record Ramp(double from, double to, Duration over) implements RateShape {
        public Ramp {
            positive(from, "from");
            positive(to, "to");
        }

        @Override
        public double ratePerSecond(long elapsedNanos) {
            double f = Math.min(1.0, (double) elapsedNanos / Math.max(1, over.toNanos()));
            return from + (to - from) * f;
        }

        @Override
        public Duration length() {
            return over;
        }
    }

    /** {@code base}, except {@code peak} for {@code spikeLength} starting at {@code at}. */
    record Spike(double base, double peak, Duration at, Duration spikeLength) implements RateShape {
        public Spike {
            positive(base, "base");
            positive(peak, "peak");
        }

        @Override
        public double ratePerSecond(long elapsedNanos) {
            return elapsedNanos >= at.toNanos() && elapsedNanos < at.plus(spikeLength).toNanos() ? peak : base;
        }
    }

    /** Steps of a rate held for a while each; the last one holds on. */
    record Step(List<Level> levels) implements RateShape {
        public Step {
            levels = List.copyOf(levels);
            if (levels.isEmpty()) {
                throw new IllegalArgumentException("step: no levels (expected: RATExDURATION,...)");
            }
        }

        @Override
        public double ratePerSecond(long elapsedNanos) {
            long t = 0;
            for (Level level : levels) {
                t += level.duration().toNanos();
                if (elapsedNanos < t) {
                    return level.rate();
                }
            }
            return levels.getLast().rate();
        }

        @Override
        public Duration length() {
            return levels.stream().map(Level::duration).reduce(Duration.ZERO, Duration::plus);
        }
    }

    /** One level of a {@link Step}. */
    record Level(double rate, Duration duration) {
        public Level {
            positive(rate, "rate");
        }
    }

    /**
     * Parses {@code constant:R}, {@code ramp:FROM-TO/DURATION}, {@code spike:BASE-PEAK@AT/LENGTH} or
     * {@code step:R1xD1,R2xD2,...}; durations as {@code 500ms}, {@code 5s}, {@code 1m}. A bare number is constant.
     */
    static RateShape parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        try {
            int colon = s.indexOf(':');
            if (colon < 0) {
                return new Constant(Double.parseDouble(s));
            }
            String kind = s.substring(0, colon);
            String args = s.substring(colon + 1);
            return switch (kind) {
                case "constant" -> new Constant(Double.parseDouble(args));
                case "ramp" -> {
                    String[] rateAndTime = args.split("/");
                    String[] rates = rateAndTime[0].split("-");
                    yield new Ramp(Double.parseDouble(rates[0]), Double.parseDouble(rates[1]),
                            Durations.parse(rateAndTime[1]));
                }
                case "spike" -> {
                    String[] ratesAndWhen = args.split("@");
                    String[] rates = ratesAndWhen[0].split("-");
                    String[] when = ratesAndWhen[1].split("/");
                    yield new Spike(Double.parseDouble(rates[0]), Double.parseDouble(rates[1]),
                            Durations.parse(when[0]), Durations.parse(when[1]));
                }
                case "step" -> {
                    List<Level> levels = new ArrayList<>();
                    for (String level : args.split(",")) {
                        String[] parts = level.split("x");
                        levels.add(new Level(Double.parseDouble(parts[0]), Durations.parse(parts[1])));
                    }
                    yield new Step(levels);
                }
                default -> throw new IllegalArgumentException("unknown shape " + kind);
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("shape: " + text + " (expected: constant:R, ramp:FROM-TO/5s, "
                    + "spike:BASE-PEAK@AT/LENGTH or step:R1x5s,R2x5s)", e);
        }
    }

    private static void positive(double rate, String name) {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException(name + ": " + rate + " (expected: > 0 messages per second)");
        }
    }
}
