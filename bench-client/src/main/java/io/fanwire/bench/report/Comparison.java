package io.fanwire.bench.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * A side-by-side comparison of one scenario run against Fanwire and a peer server in alternating pairs: each
 * figure as Fanwire's and the peer's median over the pairs, and the ratio Fanwire ÷ peer of each pair with its
 * median and spread (lowest and highest). Built from the runs' results; renders text, Markdown and a JSON tree.
 *
 * @param scenario the scenario's command name
 * @param peer     the peer's name
 * @param pairs    pairs run
 * @param command  the compare command line (secrets masked)
 * @param tiers    one entry per tier of the scenario, in run order
 * @param notes    what a reader must know (warm-up, closed loop, failed runs)
 */
public record Comparison(String scenario, String peer, int pairs, String command, List<Tier> tiers,
                         List<String> notes) {

    /** The figures of one tier. */
    public record Tier(String label, List<Row> rows, double fanwireLossPercent, double peerLossPercent,
                       long fanwireErrors, long peerErrors) {
    }

    /**
     * One figure: each side's value per pair, and the ratios.
     *
     * @param name           what it is, e.g. {@code "server_received_per_s"} or {@code "rtt p99 (ms)"}
     * @param higherIsBetter true for rates, false for latencies and memory
     * @param fanwire        Fanwire's value in each pair (NaN where it was not measured)
     * @param peer           the peer's value in each pair
     */
    public record Row(String name, boolean higherIsBetter, double[] fanwire, double[] peer) {

        /** Fanwire ÷ peer for each pair where both are measured and the peer's is not 0. */
        public double[] ratios() {
            List<Double> out = new ArrayList<>();
            for (int i = 0; i < Math.min(fanwire.length, peer.length); i++) {
                if (Double.isFinite(fanwire[i]) && Double.isFinite(peer[i]) && peer[i] != 0) {
                    out.add(fanwire[i] / peer[i]);
                }
            }
            return out.stream().mapToDouble(Double::doubleValue).toArray();
        }

        public OptionalDouble fanwireMedian() {
            return median(fanwire);
        }

        public OptionalDouble peerMedian() {
            return median(peer);
        }

        public OptionalDouble ratioMedian() {
            return median(ratios());
        }

        public OptionalDouble ratioMin() {
            return Arrays.stream(ratios()).min();
        }

        public OptionalDouble ratioMax() {
            return Arrays.stream(ratios()).max();
        }

        /**
         * Where Fanwire stands on this figure: {@code level} when the median ratio is within 2 % of 1,
         * {@code unclear} when the pairs disagree (some ratios better than 1, some worse), else {@code ahead} or
         * {@code behind}.
         */
        public String standing() {
            OptionalDouble r = ratioMedian();
            if (r.isEmpty()) {
                return "n/a";
            }
            double v = r.getAsDouble();
            if (Math.abs(v - 1) <= 0.02) {
                return "level";
            }
            if (ratioMin().getAsDouble() < 1 && ratioMax().getAsDouble() > 1) {
                return "unclear";
            }
            return (v > 1) == higherIsBetter ? "ahead" : "behind";
        }
    }

    /** The median of the finite values, or empty when there are none. */
    public static OptionalDouble median(double[] values) {
        double[] finite = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        if (finite.length == 0) {
            return OptionalDouble.empty();
        }
        int mid = finite.length / 2;
        return OptionalDouble.of(finite.length % 2 == 1 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2);
    }

    /**
     * Compares the runs: {@code fanwire.get(i)} and {@code peer.get(i)} are the results of pair {@code i}. Tiers are
     * matched by position; the figures are the headline rate, the headline latency's p50 and p99, and the server's
     * resident memory and CPU time when both sides report them.
     */
    public static Comparison of(String scenario, String peer, String command, List<ScenarioResult> fanwire,
                                List<ScenarioResult> peerRuns, List<String> notes) {
        if (fanwire.isEmpty() || fanwire.size() != peerRuns.size()) {
            throw new IllegalArgumentException("a comparison needs the same number of runs on each side");
        }
        int tierCount = fanwire.stream().mapToInt(r -> r.tiers().size()).min().orElse(0);
        tierCount = Math.min(tierCount, peerRuns.stream().mapToInt(r -> r.tiers().size()).min().orElse(0));
        List<Tier> tiers = new ArrayList<>();
        for (int t = 0; t < tierCount; t++) {
            int index = t;
            List<TierResult> f = fanwire.stream().map(r -> r.tiers().get(index)).toList();
            List<TierResult> p = peerRuns.stream().map(r -> r.tiers().get(index)).toList();
            TierResult first = f.getFirst();
            List<Row> rows = new ArrayList<>();
            TierFigures.primaryRate(first).ifPresent(rate -> rows.add(row(rate.replace("_per_s", "/s"), true, f, p,
                    tier -> tier.rates().getOrDefault(rate, Double.NaN))));
            TierFigures.primaryLatency(first).ifPresent(latency -> {
                rows.add(row(latency + " p50 (ms)", false, f, p, tier -> latencyMs(tier, latency, true)));
                rows.add(row(latency + " p99 (ms)", false, f, p, tier -> latencyMs(tier, latency, false)));
            });
            rows.add(row("server RSS at end (MiB)", false, f, p, tier -> tier.server() == null
                    || tier.server().rssAfterBytes() < 0 ? Double.NaN : tier.server().rssAfterBytes() / 1048576.0));
            rows.add(row("server CPU (s)", false, f, p, tier -> tier.server() == null
                    || tier.server().cpuSeconds() < 0 ? Double.NaN : tier.server().cpuSeconds()));
            rows.removeIf(row -> row.ratios().length == 0);
            tiers.add(new Tier(first.label(), rows, lossPercent(f), lossPercent(p),
                    f.stream().mapToLong(tier -> tier.counter(Metric.ERRORS)).sum(),
                    p.stream().mapToLong(tier -> tier.counter(Metric.ERRORS)).sum()));
        }
        return new Comparison(scenario, peer, fanwire.size(), command, tiers, notes);
    }

    private static Row row(String name, boolean higherIsBetter, List<TierResult> f, List<TierResult> p,
                           Function<TierResult, Double> value) {
        return new Row(name, higherIsBetter, f.stream().mapToDouble(value::apply).toArray(),
                p.stream().mapToDouble(value::apply).toArray());
    }

    private static double latencyMs(TierResult tier, String name, boolean p50) {
        LatencySummary s = tier.latencies().get(name);
        if (s == null || s.count() == 0) {
            return Double.NaN;
        }
        return (p50 ? s.p50Micros() : s.p99Micros()) / 1000.0;
    }

    /** Lost over expected across all pairs, as a percentage; NaN when the tiers do not count loss. */
    private static double lossPercent(List<TierResult> tiers) {
        long lost = 0;
        long expected = 0;
        boolean counted = false;
        for (TierResult tier : tiers) {
            if (tier.counters().containsKey(Metric.LOST)) {
                counted = true;
                lost += tier.counter(Metric.LOST);
                expected += TierFigures.expected(tier).orElse(0L);
            }
        }
        if (!counted) {
            return Double.NaN;
        }
        return expected <= 0 ? 0 : 100.0 * lost / expected;
    }

    /** A plain-text table per tier. */
    public String text() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "compare: %s, Fanwire vs %s, %d pairs%n", scenario, peer, pairs));
        notes.forEach(note -> b.append("  note: ").append(note).append('\n'));
        for (Tier tier : tiers) {
            b.append('\n').append("tier ").append(tier.label()).append('\n');
            b.append(String.format(Locale.ROOT, "  %-26s %14s %14s   %-26s %s%n", "figure", "Fanwire", peer,
                    "Fanwire ÷ " + peer + " [min–max]", "Fanwire is"));
            for (Row row : tier.rows()) {
                b.append(String.format(Locale.ROOT, "  %-26s %14s %14s   %-26s %s%n", row.name(),
                        number(row.fanwireMedian()), number(row.peerMedian()), ratio(row), row.standing()));
            }
            b.append(String.format(Locale.ROOT, "  loss: Fanwire %s, %s %s; errors: Fanwire %d, %s %d%n",
                    percent(tier.fanwireLossPercent()), peer, percent(tier.peerLossPercent()), tier.fanwireErrors(),
                    peer, tier.peerErrors()));
        }
        return b.toString();
    }

    /** A Markdown section: a table per tier. */
    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("## ").append(scenario).append(": Fanwire vs ").append(peer).append("\n\n");
        b.append(pairs).append(" pairs, run alternately (Fanwire, ").append(peer).append(", Fanwire, …). ")
                .append("Values are medians over the pairs; the ratio is Fanwire ÷ ").append(peer)
                .append(" per pair, its median and [lowest – highest].\n\n");
        b.append("Command: `").append(command).append("`\n\n");
        notes.forEach(note -> b.append("- ").append(note).append('\n'));
        if (!notes.isEmpty()) {
            b.append('\n');
        }
        for (Tier tier : tiers) {
            b.append("### ").append(tier.label()).append("\n\n");
            b.append("| Figure | Fanwire | ").append(peer).append(" | Fanwire ÷ ").append(peer)
                    .append(" [min – max] | Fanwire is |\n|---|---:|---:|---|---|\n");
            for (Row row : tier.rows()) {
                b.append("| ").append(row.name()).append(" | ").append(number(row.fanwireMedian())).append(" | ")
                        .append(number(row.peerMedian())).append(" | ").append(ratio(row)).append(" | ")
                        .append(row.standing()).append(" |\n");
            }
            b.append(String.format(Locale.ROOT, "%nLoss: Fanwire %s, %s %s. Errors: Fanwire %d, %s %d.%n%n",
                    percent(tier.fanwireLossPercent()), peer, percent(tier.peerLossPercent()), tier.fanwireErrors(),
                    peer, tier.peerErrors()));
        }
        return b.toString();
    }

    private static String ratio(Row row) {
        if (row.ratioMedian().isEmpty()) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2f [%.2f – %.2f]", row.ratioMedian().getAsDouble(),
                row.ratioMin().getAsDouble(), row.ratioMax().getAsDouble());
    }

    private static String number(OptionalDouble value) {
        if (value.isEmpty()) {
            return "n/a";
        }
        double v = value.getAsDouble();
        if (Math.abs(v) >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (Math.abs(v) >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String percent(double value) {
        return Double.isNaN(value) ? "not counted" : String.format(Locale.ROOT, "%.3f %%", value);
    }
}
