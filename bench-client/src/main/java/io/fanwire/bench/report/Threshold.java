package io.fanwire.bench.report;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code --threshold} expression: a metric of each tier, an operator and a limit, optionally scoped to a
 * scenario or one of its tiers. The grammar, in full in {@code docs/BENCH-REPORT.md}:
 *
 * <pre>
 * threshold  = [ scenario [ "/" tier-label ] ":" ] metric operator number [ unit ]
 * metric     = percentile | latency "." percentile | "loss" | counter | rate
 * percentile = "p50" | "p90" | "p95" | "p99" | "p999" | "p99.9" | "min" | "mean" | "max"
 * operator   = "&lt;" | "&lt;=" | "&gt;" | "&gt;=" | "==" | "!="
 * unit       = "ms" | "us" | "µs" | "s"   (latencies, required)
 *            | "%"                        (loss, optional)
 *            | "k" | "M"                  (counters and rates, optional multipliers)
 * </pre>
 *
 * <p>A bare percentile ({@code p99}) means the tier's headline latency ({@link TierFigures#primaryLatency}).
 * {@code loss} is {@link TierFigures#lossPercent}. Any other name is a counter, or a rate when it ends in
 * {@code _per_s}.
 *
 * @param expression the expression as given
 * @param scenario   the scenario it is limited to, or {@code null} for every scenario
 * @param tier       the tier label it is limited to, or {@code null} for every tier
 * @param metric     the metric as written, e.g. {@code p99}, {@code rtt.p99}, {@code loss}, {@code errors}
 * @param kind       what the metric is
 * @param operator   the comparison
 * @param limit      the limit in {@link #unit}
 * @param unit       the unit of the limit and of the actual value in the check: {@code ms}, {@code µs}, {@code s},
 *                   {@code %} or {@code ""}
 */
public record Threshold(String expression, String scenario, String tier, String metric, Kind kind, Operator operator,
                        double limit, String unit) {

    /** What a threshold's metric is. */
    public enum Kind { LATENCY, LOSS, COUNTER, RATE }

    /** A comparison. */
    public enum Operator {
        LT("<"), LE("<="), GT(">"), GE(">="), EQ("=="), NE("!=");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        /** Whether {@code actual operator limit} holds. */
        public boolean test(double actual, double limit) {
            return switch (this) {
                case LT -> actual < limit;
                case LE -> actual <= limit;
                case GT -> actual > limit;
                case GE -> actual >= limit;
                case EQ -> actual == limit;
                case NE -> actual != limit;
            };
        }

        static Operator of(String symbol) {
            for (Operator op : values()) {
                if (op.symbol.equals(symbol)) {
                    return op;
                }
            }
            throw new IllegalArgumentException(symbol);
        }
    }

    private static final Set<String> PERCENTILES = Set.of("p50", "p90", "p95", "p99", "p999", "min", "mean", "max");
    private static final Pattern SHAPE = Pattern.compile("^\\s*(?<metric>[^<>=!\\s]+?)\\s*(?<op><=|>=|==|!=|<|>|=)\\s*"
            + "(?<number>[-+]?(\\d+\\.?\\d*|\\.\\d+))\\s*(?<unit>[^\\s\\d.]*)\\s*$");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    public Threshold {
        Objects.requireNonNull(expression, "expression");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(unit, "unit");
    }

    /**
     * Parses an expression such as {@code p99<5ms}, {@code loss<0.1%} or {@code ping-latency/1000 conns:rtt.p99<2ms}.
     *
     * @throws IllegalArgumentException with a message that names the expression and what is wrong with it
     */
    public static Threshold parse(String expression) {
        Objects.requireNonNull(expression, "expression");
        String rest = expression.strip();
        if (rest.isEmpty()) {
            throw error(expression, "it is empty (expected e.g. p99<5ms, errors==0, loss<0.1%)");
        }
        String scenario = null;
        String tier = null;
        int colon = rest.indexOf(':');
        if (colon >= 0) {
            String scope = rest.substring(0, colon).strip();
            rest = rest.substring(colon + 1);
            int slash = scope.indexOf('/');
            scenario = (slash < 0 ? scope : scope.substring(0, slash)).strip();
            tier = slash < 0 ? null : scope.substring(slash + 1).strip();
            if (scenario.isEmpty() || (tier != null && tier.isEmpty())) {
                throw error(expression, "the scope before ':' must be a scenario or scenario/tier label, e.g. "
                        + "ping-latency:p99<5ms");
            }
        }
        Matcher m = SHAPE.matcher(rest);
        if (!m.matches()) {
            throw error(expression, shapeProblem(rest));
        }
        String metric = m.group("metric").toLowerCase(Locale.ROOT);
        String symbol = m.group("op");
        if (symbol.equals("=")) {
            throw error(expression, "'=' is not an operator; use == to compare");
        }
        Operator operator = Operator.of(symbol);
        double number = Double.parseDouble(m.group("number"));
        String unit = m.group("unit");

        Kind kind = kind(expression, metric);
        return switch (kind) {
            case LATENCY -> {
                String normal = switch (unit) {
                    case "ms" -> "ms";
                    case "us", "µs", "μs" -> "µs";
                    case "s" -> "s";
                    case "" -> throw error(expression, "a latency needs a unit: ms, us (or µs) or s, e.g. "
                            + metric + symbol + m.group("number") + "ms");
                    default -> throw error(expression,
                            "unknown unit '" + unit + "' for a latency (expected: ms, us, µs or s)");
                };
                yield new Threshold(expression, scenario, tier, metric, kind, operator, number, normal);
            }
            case LOSS -> {
                if (!unit.isEmpty() && !unit.equals("%")) {
                    throw error(expression, "loss is a percentage: write it with % or as a plain number, e.g. loss<0.1%");
                }
                yield new Threshold(expression, scenario, tier, metric, kind, operator, number, "%");
            }
            case COUNTER, RATE -> {
                double multiplier = switch (unit) {
                    case "" -> 1;
                    case "k" -> 1e3;
                    case "M", "m" -> 1e6;
                    case "%" -> throw error(expression, "only loss is a percentage; " + metric + " is a "
                            + (kind == Kind.RATE ? "rate" : "count") + " (write a plain number)");
                    case "ms", "us", "µs", "s" -> throw error(expression, metric + " is a "
                            + (kind == Kind.RATE ? "rate" : "count") + ", not a latency; a unit like " + unit
                            + " belongs to p99, rtt.p99 and the like");
                    default -> throw error(expression, "unknown unit '" + unit + "' (expected: none, k or M)");
                };
                yield new Threshold(expression, scenario, tier, metric, kind, operator, number * multiplier, "");
            }
        };
    }

    /** Whether the threshold applies to a scenario. */
    public boolean appliesTo(ScenarioResult result) {
        return scenario == null || scenario.equals(result.scenario());
    }

    /** Whether the threshold applies to a tier of a scenario it applies to. */
    public boolean appliesTo(TierResult result) {
        return tier == null || tier.equals(result.label());
    }

    /** The tier's value of the metric in {@link #unit}, or empty when the tier does not measure it. */
    public OptionalDouble valueOf(TierResult result) {
        return switch (kind) {
            case LATENCY -> {
                // latency names have no dot; percentiles may ("p99.9")
                int dot = PERCENTILES.contains(percentileName(metric)) ? -1 : metric.indexOf('.');
                String percentile = percentileName(dot < 0 ? metric : metric.substring(dot + 1));
                Optional<String> name = dot < 0 ? TierFigures.primaryLatency(result) : Optional.of(metric.substring(0, dot));
                LatencySummary summary = name.map(n -> result.latencies().get(n)).orElse(null);
                if (summary == null) {
                    yield OptionalDouble.empty();
                }
                double micros = summary.valueMicros(percentile);
                yield OptionalDouble.of(switch (unit) {
                    case "ms" -> micros / 1e3;
                    case "s" -> micros / 1e6;
                    default -> micros;
                });
            }
            case LOSS -> TierFigures.lossPercent(result);
            case COUNTER -> result.counters().containsKey(metric)
                    ? OptionalDouble.of(result.counters().get(metric)) : OptionalDouble.empty();
            case RATE -> result.rates().containsKey(metric)
                    ? OptionalDouble.of(result.rates().get(metric)) : OptionalDouble.empty();
        };
    }

    /** A value in this threshold's unit as a check shows it: {@code 2.37ms}, {@code 0.0084%}, {@code 49,988/s}. */
    public String format(double value) {
        return switch (kind) {
            case LATENCY -> Figures.sig3(value) + unit;
            case LOSS -> Figures.percent(value);
            case COUNTER -> value == Math.rint(value) ? Figures.count((long) value) : Figures.plain(value);
            case RATE -> (Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : Figures.sig3(value)) + "/s";
        };
    }

    private static Kind kind(String expression, String metric) {
        if (metric.equals("loss")) {
            return Kind.LOSS;
        }
        if (PERCENTILES.contains(percentileName(metric))) {
            return Kind.LATENCY;
        }
        int dot = metric.indexOf('.');
        if (dot > 0) {
            String latency = metric.substring(0, dot);
            String percentile = percentileName(metric.substring(dot + 1));
            if (!NAME.matcher(latency).matches() || !PERCENTILES.contains(percentile)) {
                throw error(expression, "'" + metric + "' is not latency.percentile (expected e.g. rtt.p99, "
                        + "delivery.p999, http.max; percentiles: p50, p90, p95, p99, p999, min, mean, max)");
            }
            return Kind.LATENCY;
        }
        if (!NAME.matcher(metric).matches()) {
            throw error(expression, "'" + metric + "' is not a metric name (expected a percentile like p99, "
                    + "latency.percentile like rtt.p99, loss, a counter like errors or a rate like sent_per_s)");
        }
        return metric.endsWith("_per_s") ? Kind.RATE : Kind.COUNTER;
    }

    private static String percentileName(String name) {
        return name.equals("p99.9") ? "p999" : name;
    }

    private static String shapeProblem(String rest) {
        if (!rest.matches(".*[<>=!].*")) {
            return "no comparison (expected one of <, <=, >, >=, ==, !=, e.g. p99<5ms)";
        }
        if (rest.matches("^\\s*[<>=!].*")) {
            return "no metric before the operator (expected e.g. p99, rtt.p99, loss, errors)";
        }
        if (rest.matches(".*[<>=!]\\s*$")) {
            return "no number after the operator";
        }
        Matcher op = Pattern.compile("(<=|>=|==|!=|<|>|=)\\s*").matcher(rest);
        if (op.find() && !rest.substring(op.end()).matches("[-+]?[\\d.].*")) {
            return "expected a number after '" + op.group(1) + "', found '" + rest.substring(op.end()) + "'";
        }
        return "expected metric, operator, number and unit, e.g. p99<5ms, errors==0, loss<0.1%, "
                + "server_received_per_s>=50000";
    }

    private static IllegalArgumentException error(String expression, String problem) {
        return new IllegalArgumentException("threshold \"" + expression + "\": " + problem);
    }
}
