package io.fanwire.bench.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SequencedSet;
import java.util.StringJoiner;

import io.fanwire.bench.report.Table.Column;

/**
 * The tables of one scenario, shared by the text, Markdown and HTML writers. Only metrics that some tier of the
 * scenario recorded get a column; loss and errors always do, shown as {@link Figures#ABSENT} when a tier did
 * not count them.
 */
final class ScenarioTables {

    /** Counters that say something went wrong, in the order they are shown after the speed. */
    static final List<String> PROBLEM_COUNTERS = List.of(Metric.LOST, Metric.GAPS, Metric.DUPLICATES,
            Metric.REORDERS, Metric.SERVER_SLOW_DROPS, Metric.LATE_SENDS, Metric.CONNECT_FAILED,
            Metric.DROPPED_CONNECTIONS, Metric.HTTP_ERRORS, Metric.ERRORS);

    /** The percentiles of the latency table, as {@link LatencySummary#valueMicros(String)} names and headings. */
    static final Map<String, String> PERCENTILES = percentiles();

    static final String CLOSED_LOOP_NOTE = "Closed loop: each connection waits for the answer before it sends "
            + "again, so a slow server slows the client instead of showing in these latencies (they are not "
            + "corrected for coordinated omission). Use them to compare, not as response times under load.";

    private ScenarioTables() {
    }

    /** Parameters every tier has with the same value, e.g. {@code payload_bytes=64 · encoding=json}; may be empty. */
    static String commonParameters(ScenarioResult scenario) {
        StringJoiner out = new StringJoiner(" · ");
        for (Map.Entry<String, String> entry : commonParameterMap(scenario).entrySet()) {
            out.add(entry.getKey() + "=" + entry.getValue());
        }
        return out.toString();
    }

    private static Map<String, String> commonParameterMap(ScenarioResult scenario) {
        Map<String, String> common = new LinkedHashMap<>();
        if (scenario.tiers().isEmpty()) {
            return common;
        }
        for (Map.Entry<String, String> entry : scenario.tiers().getFirst().parameters().entrySet()) {
            boolean everywhere = scenario.tiers().stream()
                    .allMatch(t -> Objects.equals(t.parameters().get(entry.getKey()), entry.getValue()));
            if (everywhere) {
                common.put(entry.getKey(), entry.getValue());
            }
        }
        return common;
    }

    /** One row per tier: connections, varying parameters, duration, rates, counters, loss and errors. */
    static Table tiers(ScenarioResult scenario) {
        Map<String, String> common = commonParameterMap(scenario);
        SequencedSet<String> parameters = new LinkedHashSet<>();
        SequencedSet<String> rates = new LinkedHashSet<>();
        SequencedSet<String> counters = new LinkedHashSet<>();
        for (TierResult tier : scenario.tiers()) {
            tier.parameters().keySet().stream().filter(p -> !common.containsKey(p)).forEach(parameters::add);
            rates.addAll(tier.rates().keySet());
            tier.counters().keySet().stream().filter(c -> !PROBLEM_COUNTERS.contains(c)).forEach(counters::add);
        }
        List<String> problems = new ArrayList<>();
        for (String name : PROBLEM_COUNTERS) {
            boolean always = name.equals(Metric.LOST) || name.equals(Metric.ERRORS);
            if (always || scenario.tiers().stream().anyMatch(t -> t.counters().containsKey(name))) {
                problems.add(name);
            }
        }

        List<Column> columns = new ArrayList<>();
        columns.add(Column.text("Tier"));
        columns.add(Column.number("Conns"));
        parameters.forEach(p -> columns.add(Column.text(p)));
        columns.add(Column.number("Time"));
        rates.forEach(r -> columns.add(Column.number(Labels.of(r))));
        counters.forEach(c -> columns.add(Column.number(Labels.of(c))));
        for (String problem : problems) {
            columns.add(Column.number(Labels.of(problem)));
            if (problem.equals(Metric.LOST)) {
                columns.add(Column.number("Loss"));
            }
        }

        Table table = new Table(columns);
        for (TierResult tier : scenario.tiers()) {
            List<String> cells = new ArrayList<>();
            cells.add(tier.label());
            cells.add(Figures.count(tier.connections()));
            parameters.forEach(p -> cells.add(tier.parameters().getOrDefault(p, Figures.ABSENT)));
            cells.add(Figures.seconds(tier.durationSeconds()));
            rates.forEach(r -> cells.add(tier.rates().containsKey(r) ? Figures.rate(tier.rates().get(r)) : Figures.ABSENT));
            counters.forEach(c -> cells.add(counter(tier, c)));
            for (String problem : problems) {
                cells.add(counter(tier, problem));
                if (problem.equals(Metric.LOST)) {
                    OptionalDouble loss = TierFigures.lossPercent(tier);
                    cells.add(loss.isPresent() ? Figures.percent(loss.getAsDouble()) : Figures.ABSENT);
                }
            }
            table.row(cells);
        }
        return table;
    }

    /** One row per tier and latency, corrected before uncorrected: samples and percentiles in milliseconds. */
    static Table latencies(ScenarioResult scenario) {
        List<Column> columns = new ArrayList<>();
        columns.add(Column.text("Tier"));
        columns.add(Column.text("Latency"));
        columns.add(Column.number("Samples"));
        PERCENTILES.values().forEach(h -> columns.add(Column.number(h + " ms")));
        Table table = new Table(columns);
        for (TierResult tier : scenario.tiers()) {
            for (String name : latencyOrder(tier)) {
                LatencySummary summary = tier.latencies().get(name);
                List<String> cells = new ArrayList<>();
                cells.add(tier.label());
                cells.add(Labels.of(name) + (scenario.closedLoop() && !name.endsWith(TierFigures.UNCORRECTED_SUFFIX)
                        ? " (closed loop)" : ""));
                cells.add(Figures.count(summary.count()));
                PERCENTILES.keySet().forEach(p -> cells.add(Figures.millis(summary.valueMicros(p))));
                table.row(cells);
            }
        }
        return table;
    }

    /** The tier's latencies with each uncorrected one right after its corrected counterpart. */
    static List<String> latencyOrder(TierResult tier) {
        List<String> order = new ArrayList<>();
        for (String name : tier.latencies().keySet()) {
            if (order.contains(name)) {
                continue;
            }
            if (name.endsWith(TierFigures.UNCORRECTED_SUFFIX)) {
                String corrected = name.substring(0, name.length() - TierFigures.UNCORRECTED_SUFFIX.length());
                if (tier.latencies().containsKey(corrected)) {
                    continue; // placed after its corrected figure
                }
                order.add(name);
                continue;
            }
            order.add(name);
            String uncorrected = name + TierFigures.UNCORRECTED_SUFFIX;
            if (tier.latencies().containsKey(uncorrected)) {
                order.add(uncorrected);
            }
        }
        return order;
    }

    /** The server's resources per tier; empty when no tier could read them. */
    static Table server(ScenarioResult scenario) {
        Table table = new Table(List.of(Column.text("Tier"), Column.text("Source"), Column.number("RSS before"),
                Column.number("RSS after"), Column.number("RSS/conn"), Column.number("Heap after"),
                Column.number("CPU"), Column.number("Open FDs")));
        for (TierResult tier : scenario.tiers()) {
            ServerResources server = tier.server();
            if (server == null) {
                continue;
            }
            long perConnection = server.rssPerConnectionBytes(tier.connections());
            table.row(List.of(tier.label(), server.source(), Figures.bytes(server.rssBeforeBytes()),
                    Figures.bytes(server.rssAfterBytes()), perConnection < 0 ? Figures.ABSENT : Figures.bytes(perConnection),
                    Figures.bytes(server.heapUsedAfterBytes()),
                    server.cpuSeconds() < 0 ? Figures.ABSENT : Figures.seconds(server.cpuSeconds()),
                    server.openFds() < 0 ? Figures.ABSENT : Figures.count(server.openFds())));
        }
        return table;
    }

    /** The scenario's notes, then each tier's prefixed with its label. */
    static List<String> notes(ScenarioResult scenario) {
        List<String> notes = new ArrayList<>(scenario.notes());
        for (TierResult tier : scenario.tiers()) {
            tier.notes().forEach(n -> notes.add(tier.label() + ": " + n));
        }
        return notes;
    }

    /**
     * One row per tier of every scenario with its headline figures: throughput, latency percentiles, loss and
     * errors. The table a reader looks at first.
     */
    static Table summary(List<ScenarioResult> scenarios) {
        Table table = new Table(List.of(Column.text("Scenario"), Column.text("Tier"), Column.number("Conns"),
                Column.number("Time"), Column.number("Throughput"), Column.text("Latency"), Column.number("p50 ms"),
                Column.number("p99 ms"), Column.number("p99.9 ms"), Column.number("Loss"), Column.number("Errors")));
        for (ScenarioResult scenario : scenarios) {
            for (TierResult tier : scenario.tiers()) {
                String rate = TierFigures.primaryRate(tier)
                        .map(r -> Figures.rate(tier.rates().get(r)) + " " + Labels.of(r).toLowerCase(Locale.ROOT))
                        .orElse(Figures.ABSENT);
                Optional<String> latencyName = TierFigures.primaryLatency(tier);
                LatencySummary latency = latencyName.map(n -> tier.latencies().get(n)).orElse(null);
                OptionalDouble loss = TierFigures.lossPercent(tier);
                table.row(List.of(scenario.scenario(), tier.label(), Figures.count(tier.connections()),
                        Figures.seconds(tier.durationSeconds()), rate,
                        latencyName.map(n -> Labels.of(n) + (scenario.closedLoop() ? " (closed loop)" : ""))
                                .orElse(Figures.ABSENT),
                        latency == null ? Figures.ABSENT : Figures.millis(latency.p50Micros()),
                        latency == null ? Figures.ABSENT : Figures.millis(latency.p99Micros()),
                        latency == null ? Figures.ABSENT : Figures.millis(latency.p999Micros()),
                        loss.isPresent() ? Figures.percent(loss.getAsDouble()) : Figures.ABSENT,
                        counter(tier, Metric.ERRORS)));
            }
        }
        return table;
    }

    /** The checks: result, expression, scope and the measured value. */
    static Table checks(List<CheckResult> checks) {
        Table table = new Table(List.of(Column.text("Result"), Column.text("Check"), Column.text("Scope"),
                Column.number("Actual")));
        for (CheckResult check : checks) {
            table.row(List.of(check.passed() ? "PASS" : "FAIL", check.expression(), check.scope(), check.actual()));
        }
        return table;
    }

    /** {@code 3 of 5 checks passed}, or {@code no checks}. */
    static String checksSummary(List<CheckResult> checks) {
        if (checks.isEmpty()) {
            return "no checks";
        }
        long passed = checks.stream().filter(CheckResult::passed).count();
        return passed == checks.size() ? "all " + checks.size() + " checks passed"
                : passed + " of " + checks.size() + " checks passed";
    }

    private static String counter(TierResult tier, String name) {
        Long value = tier.counters().get(name);
        return value == null ? Figures.ABSENT : Figures.count(value);
    }

    private static Map<String, String> percentiles() {
        Map<String, String> percentiles = new LinkedHashMap<>();
        percentiles.put("p50", "p50");
        percentiles.put("p95", "p95");
        percentiles.put("p99", "p99");
        percentiles.put("p999", "p99.9");
        percentiles.put("max", "max");
        return Collections.unmodifiableMap(percentiles);
    }
}
