package io.fanwire.bench.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.DoubleFunction;

import io.fanwire.bench.report.Table.Column;

/**
 * A run compared with a previous one ({@code --baseline previous.json}), tier by tier: tiers match when their
 * scenario and tier label are equal. For each metric both tiers recorded it gives the change, absolute and in
 * per cent, and flags a regression when the change is in the bad direction beyond a tolerance:
 * <ul>
 *   <li>rates (throughput): lower by more than the tolerance;</li>
 *   <li>latencies (p50, p99, p99.9 of every latency): higher by more than the tolerance;</li>
 *   <li>loss and the problem counters (lost, errors, gaps…) and server RSS per connection: higher by more than
 *       the tolerance, and any rise from zero.</li>
 * </ul>
 * Absolute numbers on a shared machine drift by ±20 % between runs (BENCHMARKING.md); choose the tolerance
 * accordingly, and compare runs of one machine only.
 *
 * @param baselineStartedAt when the baseline run started, to name it
 * @param tolerancePercent  changes within this many per cent are noise
 * @param tiers             the matched tiers, in the current run's order
 * @param onlyInBaseline    {@code scenario/tier} of baseline tiers the current run did not have
 * @param onlyInCurrent     {@code scenario/tier} of current tiers the baseline did not have
 */
public record BaselineComparison(Instant baselineStartedAt, double tolerancePercent, List<TierDelta> tiers,
                                 List<String> onlyInBaseline, List<String> onlyInCurrent) {

    /** The tolerance when none is given: 10 %. */
    public static final double DEFAULT_TOLERANCE_PERCENT = 10;

    public BaselineComparison {
        Objects.requireNonNull(baselineStartedAt, "baselineStartedAt");
        if (!(tolerancePercent >= 0)) {
            throw new IllegalArgumentException("tolerancePercent: " + tolerancePercent + " (expected: >= 0)");
        }
        tiers = List.copyOf(tiers);
        onlyInBaseline = List.copyOf(onlyInBaseline);
        onlyInCurrent = List.copyOf(onlyInCurrent);
    }

    /** Which way a metric is better. */
    public enum Better { HIGHER, LOWER }

    /** What a change amounts to, given the tolerance. */
    public enum Verdict { IMPROVED, UNCHANGED, REGRESSED }

    /**
     * One metric of one tier before and after.
     *
     * @param metric  a stable key: a rate or counter name, {@code loss}, {@code rss_per_conn}, or
     *                {@code latency.percentile} such as {@code rtt.p99}
     * @param label   what a reader sees, e.g. {@code RTT p99}
     * @param kind    how the values are formatted
     * @param better  which way is better
     * @param before  the baseline's value (latencies in microseconds, loss in per cent, RSS in bytes)
     * @param after   the current value, in the same unit
     * @param verdict improved, unchanged (within the tolerance) or regressed
     */
    public record Change(String metric, String label, Kind kind, Better better, double before, double after,
                         Verdict verdict) {

        /** {@code after - before}. */
        public double delta() {
            return after - before;
        }

        /** The change in per cent of {@code before}; infinite for a rise from zero, 0 when both are 0. */
        public double deltaPercent() {
            if (before == 0) {
                return after == 0 ? 0 : after > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            }
            return (after - before) / Math.abs(before) * 100;
        }
    }

    /** How a change's values are formatted. */
    public enum Kind { RATE, LATENCY, COUNT, PERCENT, BYTES }

    /** The changes of one tier present in both runs. */
    public record TierDelta(String scenario, String tier, List<Change> changes) {
        public TierDelta {
            changes = List.copyOf(changes);
        }
    }

    /** Compares with the {@link #DEFAULT_TOLERANCE_PERCENT default tolerance}. */
    public static BaselineComparison compare(RunReport baseline, RunReport current) {
        return compare(baseline, current, DEFAULT_TOLERANCE_PERCENT);
    }

    /** Compares {@code current} with {@code baseline}; see the class comment for what counts as a regression. */
    public static BaselineComparison compare(RunReport baseline, RunReport current, double tolerancePercent) {
        Map<String, TierResult> before = tiersByKey(baseline);
        Map<String, TierResult> after = tiersByKey(current);
        List<TierDelta> tiers = new ArrayList<>();
        List<String> onlyInCurrent = new ArrayList<>();
        for (ScenarioResult scenario : current.scenarios()) {
            for (TierResult tier : scenario.tiers()) {
                String key = scenario.scenario() + "/" + tier.label();
                TierResult old = before.get(key);
                if (old == null) {
                    onlyInCurrent.add(key);
                } else {
                    tiers.add(new TierDelta(scenario.scenario(), tier.label(), changes(old, tier, tolerancePercent)));
                }
            }
        }
        List<String> onlyInBaseline = before.keySet().stream().filter(k -> !after.containsKey(k)).toList();
        return new BaselineComparison(baseline.startedAt(), tolerancePercent, tiers, onlyInBaseline, onlyInCurrent);
    }

    /** Every change flagged as a regression. */
    public List<Change> regressions() {
        return tiers.stream().flatMap(t -> t.changes().stream()).filter(c -> c.verdict() == Verdict.REGRESSED).toList();
    }

    /** True when some metric regressed beyond the tolerance. */
    public boolean regressed() {
        return !regressions().isEmpty();
    }

    /** {@code 2 regressions beyond 10%} or {@code no regression beyond 10%}. */
    public String summary() {
        int n = regressions().size();
        String tolerance = Figures.plain(tolerancePercent) + "%";
        return (n == 0 ? "no regression" : n == 1 ? "1 regression" : n + " regressions") + " beyond " + tolerance
                + " against the baseline of " + Header.when(baselineStartedAt);
    }

    /** Changes a reader always sees: each tier's headline rate and its headline latency's p50 and p99. */
    static boolean headline(TierDelta tier, Change change) {
        List<String> rates = tier.changes().stream().filter(c -> c.kind() == Kind.RATE).map(Change::metric).toList();
        String rate = TierFigures.PRIMARY_RATES.stream().filter(rates::contains).findFirst()
                .orElse(rates.isEmpty() ? "" : rates.getFirst());
        List<String> latencies = tier.changes().stream().filter(c -> c.kind() == Kind.LATENCY)
                .map(c -> c.metric().substring(0, c.metric().indexOf('.'))).distinct().toList();
        String latency = TierFigures.PRIMARY_LATENCIES.stream().filter(latencies::contains).findFirst()
                .orElse(latencies.isEmpty() ? "" : latencies.getFirst());
        return change.metric().equals(rate) || change.metric().equals(latency + ".p50")
                || change.metric().equals(latency + ".p99");
    }

    /** How many changes the table leaves out: neither headline nor beyond the tolerance. */
    int hidden() {
        int hidden = 0;
        for (TierDelta tier : tiers) {
            for (Change change : tier.changes()) {
                if (change.verdict() == Verdict.UNCHANGED && !headline(tier, change)) {
                    hidden++;
                }
            }
        }
        return hidden;
    }

    /**
     * The comparison as a table: tier, metric, before, after, change, change %, verdict. It shows each tier's
     * headline metrics and every change beyond the tolerance; the rest are within the noise.
     */
    Table table() {
        Table table = new Table(List.of(Column.text("Tier"), Column.text("Metric"), Column.number("Before"),
                Column.number("After"), Column.number("Change"), Column.number("Change %"), Column.text("")));
        for (TierDelta tier : tiers) {
            for (Change change : tier.changes()) {
                if (change.verdict() == Verdict.UNCHANGED && !headline(tier, change)) {
                    continue;
                }
                DoubleFunction<String> format = formatter(change.kind());
                double delta = change.delta();
                String sign = delta > 0 ? "+" : delta < 0 ? "-" : "±";
                table.row(List.of(tier.scenario() + "/" + tier.tier(), change.label(), format.apply(change.before()),
                        format.apply(change.after()), sign + format.apply(Math.abs(delta)),
                        Figures.signedPercent(change.deltaPercent()), switch (change.verdict()) {
                            case REGRESSED -> "REGRESSED";
                            case IMPROVED -> "improved";
                            case UNCHANGED -> "";
                        }));
            }
        }
        return table;
    }

    /** The comparison for a terminal. */
    public String toText() {
        StringBuilder out = new StringBuilder("Compared with the baseline\n");
        if (!tiers.isEmpty()) {
            out.append(table().toText("  "));
        }
        unmatched(out, "  ");
        return out.append(regressed() ? "REGRESSED: " : "OK: ").append(summary()).append('\n').toString();
    }

    /** The comparison as GitHub-flavoured Markdown. */
    public String toMarkdown() {
        StringBuilder out = new StringBuilder("### Compared with the baseline\n\n**")
                .append(regressed() ? "Regressed" : "OK").append(":** ").append(MarkdownReport.escape(summary()))
                .append("\n\n");
        if (!tiers.isEmpty()) {
            out.append(table().toMarkdown()).append('\n');
        }
        unmatched(out, "- ");
        return out.toString();
    }

    /** {@code 48 other metrics changed by less than 10% (not shown)}, or empty. */
    String hiddenNote() {
        int hidden = hidden();
        return hidden == 0 ? "" : hidden + " other metric" + (hidden == 1 ? "" : "s") + " changed by less than "
                + Figures.plain(tolerancePercent) + "% (not shown)";
    }

    private void unmatched(StringBuilder out, String prefix) {
        if (!hiddenNote().isEmpty()) {
            out.append(prefix).append(hiddenNote()).append('\n');
        }
        if (!onlyInBaseline.isEmpty()) {
            out.append(prefix).append("Only in the baseline: ").append(String.join(", ", onlyInBaseline)).append('\n');
        }
        if (!onlyInCurrent.isEmpty()) {
            out.append(prefix).append("New in this run: ").append(String.join(", ", onlyInCurrent)).append('\n');
        }
    }

    private static DoubleFunction<String> formatter(Kind kind) {
        return switch (kind) {
            case RATE -> v -> Figures.rate(v) + "/s";
            case LATENCY -> Figures::latency;
            case COUNT -> v -> Figures.count(Math.round(v));
            case PERCENT -> Figures::percent;
            case BYTES -> v -> Figures.bytes(Math.round(v));
        };
    }

    private static Map<String, TierResult> tiersByKey(RunReport report) {
        Map<String, TierResult> tiers = new LinkedHashMap<>();
        for (ScenarioResult scenario : report.scenarios()) {
            for (TierResult tier : scenario.tiers()) {
                tiers.putIfAbsent(scenario.scenario() + "/" + tier.label(), tier);
            }
        }
        return tiers;
    }

    private static List<Change> changes(TierResult before, TierResult after, double tolerance) {
        List<Change> changes = new ArrayList<>();
        for (Map.Entry<String, Double> rate : after.rates().entrySet()) {
            Double old = before.rates().get(rate.getKey());
            if (old != null) {
                changes.add(change(rate.getKey(), Labels.of(rate.getKey()), Kind.RATE, Better.HIGHER, old,
                        rate.getValue(), tolerance));
            }
        }
        for (String name : ScenarioTables.latencyOrder(after)) {
            LatencySummary old = before.latencies().get(name);
            if (old == null) {
                continue;
            }
            LatencySummary now = after.latencies().get(name);
            for (String p : List.of("p50", "p99", "p999")) {
                String heading = ScenarioTables.PERCENTILES.get(p);
                changes.add(change(name + "." + p, Labels.of(name) + " " + heading, Kind.LATENCY, Better.LOWER,
                        old.valueMicros(p), now.valueMicros(p), tolerance));
            }
        }
        OptionalDouble lossBefore = TierFigures.lossPercent(before);
        OptionalDouble lossAfter = TierFigures.lossPercent(after);
        if (lossBefore.isPresent() && lossAfter.isPresent()) {
            changes.add(change("loss", "Loss", Kind.PERCENT, Better.LOWER, lossBefore.getAsDouble(),
                    lossAfter.getAsDouble(), tolerance));
        }
        for (String counter : ScenarioTables.PROBLEM_COUNTERS) {
            if (before.counters().containsKey(counter) && after.counters().containsKey(counter)) {
                changes.add(change(counter, Labels.of(counter), Kind.COUNT, Better.LOWER, before.counter(counter),
                        after.counter(counter), tolerance));
            }
        }
        if (before.server() != null && after.server() != null) {
            long old = before.server().rssPerConnectionBytes(before.connections());
            long now = after.server().rssPerConnectionBytes(after.connections());
            if (old >= 0 && now >= 0) {
                changes.add(change("rss_per_conn", "Server RSS/conn", Kind.BYTES, Better.LOWER, old, now, tolerance));
            }
        }
        return changes;
    }

    private static Change change(String metric, String label, Kind kind, Better better, double before, double after,
                                 double tolerance) {
        Change probe = new Change(metric, label, kind, better, before, after, Verdict.UNCHANGED);
        double percent = probe.deltaPercent();
        double worse = better == Better.HIGHER ? -percent : percent;
        Verdict verdict = worse > tolerance ? Verdict.REGRESSED : worse < -tolerance ? Verdict.IMPROVED : Verdict.UNCHANGED;
        return new Change(metric, label, kind, better, before, after, verdict);
    }
}
