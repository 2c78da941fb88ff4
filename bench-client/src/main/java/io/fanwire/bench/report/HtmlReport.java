package io.fanwire.bench.report;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleFunction;
import java.util.function.ToDoubleFunction;

/**
 * The report as one self-contained HTML page: inline CSS and inline SVG charts, no script, no external
 * resource, so that it opens offline and can be mailed or attached to an issue. The markup is also well-formed
 * XML. The checks come first (green or red), then the environment, then per scenario its tables and charts:
 * latency percentile distributions (corrected beside uncorrected, on HdrHistogram's logarithmic percentile
 * axis), throughput and connections over time, per-tier comparisons and the server's memory and CPU over time.
 */
public final class HtmlReport {

    private static final Set<String> PROBLEM_HEADERS = problemHeaders();

    private HtmlReport() {
    }

    /** The page, UTF-8. */
    public static String render(RunReport report) {
        return render(report, null);
    }

    /** The page with the comparison against a baseline after the checks; {@code baseline} may be null. */
    public static String render(RunReport report, BaselineComparison baseline) {
        StringBuilder out = new StringBuilder(64 * 1024);
        String verdict = report.checks().isEmpty() ? "" : report.passed() ? " — passed" : " — FAILED";
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .append("<title>").append(Html.escape("Fanwire bench " + Header.when(report) + verdict))
                .append("</title>\n<style>").append(CSS).append("</style>\n</head>\n<body>\n<main>\n");
        out.append("<header><h1>Fanwire bench report</h1><p class=\"sub\">")
                .append(Html.escape(Header.when(report) + " · " + report.target().url())).append("</p></header>\n");

        checks(out, report);
        Table summary = ScenarioTables.summary(report.scenarios());
        if (summary.rows().size() > 1) {
            out.append("<section class=\"summary\"><h2>Summary</h2>");
            table(out, summary, "summary");
            out.append("</section>\n");
        }
        if (baseline != null) {
            out.append("<section class=\"verdict ").append(baseline.regressed() ? "fail" : "pass")
                    .append(" baseline\"><h2>Compared with the baseline: ").append(Html.escape(baseline.summary()))
                    .append("</h2>\n");
            if (!baseline.tiers().isEmpty()) {
                table(out, baseline.table(), "baseline");
            }
            if (!baseline.hiddenNote().isEmpty()) {
                out.append("<p>").append(Html.escape(baseline.hiddenNote())).append("</p>");
            }
            if (!baseline.onlyInBaseline().isEmpty()) {
                out.append("<p>Only in the baseline: ").append(Html.escape(String.join(", ", baseline.onlyInBaseline())))
                        .append("</p>");
            }
            if (!baseline.onlyInCurrent().isEmpty()) {
                out.append("<p>New in this run: ").append(Html.escape(String.join(", ", baseline.onlyInCurrent())))
                        .append("</p>");
            }
            out.append("</section>\n");
        }
        environment(out, report);
        if (report.scenarios().size() > 1) {
            out.append("<nav><strong>Scenarios:</strong>");
            for (ScenarioResult scenario : report.scenarios()) {
                out.append(" <a href=\"#").append(anchor(scenario)).append("\">").append(Html.escape(scenario.title()))
                        .append("</a>");
            }
            out.append("</nav>\n");
        }
        for (ScenarioResult scenario : report.scenarios()) {
            scenario(out, scenario);
        }
        out.append("<footer>Written by fanwire bench ").append(Html.escape(report.environment().benchVersion()))
                .append(" · JSON schema version ").append(report.schemaVersion())
                .append(" · hover a point or bar for its value</footer>\n</main>\n</body>\n</html>\n");
        return out.toString();
    }

    private static void checks(StringBuilder out, RunReport report) {
        if (report.checks().isEmpty()) {
            out.append("<section class=\"verdict none\"><h2>No thresholds</h2><p>The run set no <code>--threshold</code>; "
                    + "nothing was checked.</p></section>\n");
            return;
        }
        boolean passed = report.passed();
        out.append("<section class=\"verdict ").append(passed ? "pass" : "fail").append("\"><h2>")
                .append(passed ? "Passed" : "Failed").append(": ")
                .append(Html.escape(ScenarioTables.checksSummary(report.checks()))).append("</h2>\n");
        List<CheckResult> failed = report.checks().stream().filter(c -> !c.passed()).toList();
        List<CheckResult> ok = report.checks().stream().filter(CheckResult::passed).toList();
        if (!failed.isEmpty()) {
            checkTable(out, failed);
        }
        if (!ok.isEmpty()) {
            // passed checks are folded away (a native <details>, no script) so that failures stand out
            out.append("<details><summary>").append(ok.size()).append(ok.size() == 1 ? " check" : " checks")
                    .append(" passed</summary>");
            checkTable(out, ok);
            out.append("</details>");
        }
        out.append("</section>\n");
    }

    private static void checkTable(StringBuilder out, List<CheckResult> checks) {
        out.append("<table><thead><tr><th>Result</th><th>Check</th><th>Scope</th><th class=\"n\">Actual</th></tr>")
                .append("</thead><tbody>");
        for (CheckResult check : checks) {
            out.append("<tr><td><span class=\"badge ").append(check.passed() ? "ok\">PASS" : "bad\">FAIL")
                    .append("</span></td><td><code>").append(Html.escape(check.expression())).append("</code></td><td>")
                    .append(Html.escape(check.scope())).append("</td><td class=\"n\">").append(Html.escape(check.actual()))
                    .append("</td></tr>");
        }
        out.append("</tbody></table>");
    }

    private static void environment(StringBuilder out, RunReport report) {
        out.append("<section class=\"env\"><h2>Environment</h2><dl>");
        for (Map.Entry<String, String> line : Header.lines(report).entrySet()) {
            boolean code = line.getKey().equals("Command") || line.getKey().equals("JVM flags");
            out.append("<dt>").append(Html.escape(line.getKey())).append("</dt><dd>").append(code ? "<code>" : "")
                    .append(Html.escape(line.getValue())).append(code ? "</code>" : "").append("</dd>");
        }
        out.append("</dl></section>\n");
    }

    private static void scenario(StringBuilder out, ScenarioResult scenario) {
        out.append("<section class=\"scenario\" id=\"").append(anchor(scenario)).append("\"><h2>")
                .append(Html.escape(scenario.title())).append(" <code>").append(Html.escape(scenario.scenario()))
                .append("</code></h2>\n<p>").append(Html.escape(scenario.measures())).append("</p>\n");
        String common = ScenarioTables.commonParameters(scenario);
        if (!common.isEmpty()) {
            out.append("<p class=\"params\">Every tier: <code>").append(Html.escape(common)).append("</code></p>\n");
        }
        if (scenario.closedLoop()) {
            out.append("<p class=\"callout\">").append(Html.escape(ScenarioTables.CLOSED_LOOP_NOTE)).append("</p>\n");
        }
        if (scenario.tiers().isEmpty()) {
            out.append("<p>No tier ran.</p></section>\n");
            return;
        }
        table(out, ScenarioTables.tiers(scenario), "tiers");
        Table latencies = ScenarioTables.latencies(scenario);
        if (!latencies.isEmpty()) {
            table(out, latencies, "latencies");
        }
        Table server = ScenarioTables.server(scenario);
        if (!server.isEmpty()) {
            out.append("<h3>Server resources</h3>");
            table(out, server, "server");
        }
        List<String> notes = ScenarioTables.notes(scenario);
        if (!notes.isEmpty()) {
            out.append("<ul class=\"notes\">");
            notes.forEach(n -> out.append("<li>").append(Html.escape(n)).append("</li>"));
            out.append("</ul>\n");
        }
        List<String> charts = charts(scenario);
        if (!charts.isEmpty()) {
            out.append("<div class=\"charts\">\n");
            charts.forEach(c -> out.append("<figure>").append(c).append("</figure>\n"));
            out.append("</div>\n");
        }
        out.append("</section>\n");
    }

    private static void table(StringBuilder out, Table table, String cssClass) {
        out.append("<div class=\"scroll\"><table class=\"").append(cssClass).append("\"><thead><tr>");
        for (Table.Column column : table.columns()) {
            out.append(column.numeric() ? "<th class=\"n\">" : "<th>").append(Html.escape(column.header())).append("</th>");
        }
        out.append("</tr></thead><tbody>");
        for (List<String> row : table.rows()) {
            out.append("<tr>");
            for (int c = 0; c < row.size(); c++) {
                Table.Column column = table.columns().get(c);
                String cell = row.get(c);
                boolean bad = cell.equals("REGRESSED") || PROBLEM_HEADERS.contains(column.header())
                        && !cell.equals("0") && !cell.equals("0%") && !cell.equals(Figures.ABSENT);
                String cls = (column.numeric() ? "n" : "") + (bad ? (column.numeric() ? " bad" : "bad") : "");
                out.append(cls.isEmpty() ? "<td>" : "<td class=\"" + cls + "\">").append(Html.escape(cell)).append("</td>");
            }
            out.append("</tr>");
        }
        out.append("</tbody></table></div>\n");
    }

    /** The scenario's charts, each an {@code <svg>} element. */
    static List<String> charts(ScenarioResult scenario) {
        List<String> charts = new ArrayList<>();
        percentileCharts(scenario, charts);
        timelineCharts(scenario, charts);
        if (scenario.tiers().size() > 1) {
            comparisonCharts(scenario, charts);
        }
        return charts;
    }

    private static void percentileCharts(ScenarioResult scenario, List<String> charts) {
        // One chart per tier and latency family; one y scale per family so that tiers compare at a glance.
        List<String> families = new ArrayList<>();
        for (TierResult tier : scenario.tiers()) {
            for (String name : ScenarioTables.latencyOrder(tier)) {
                String family = name.endsWith(TierFigures.UNCORRECTED_SUFFIX) && tier.latencies().containsKey(
                        name.substring(0, name.length() - TierFigures.UNCORRECTED_SUFFIX.length()))
                        ? null : name;
                if (family != null && !families.contains(family)) {
                    families.add(family);
                }
            }
        }
        for (String family : families) {
            for (TierResult tier : scenario.tiers()) {
                LatencySummary corrected = tier.latencies().get(family);
                if (corrected == null) {
                    continue;
                }
                LatencySummary uncorrected = family.endsWith(TierFigures.UNCORRECTED_SUFFIX) ? null
                        : tier.latencies().get(family + TierFigures.UNCORRECTED_SUFFIX);
                // Each tier has its own scale so that its tail is readable; the bar charts compare tiers.
                double maxMicros = 0;
                double maxPercentile = 99.9;
                for (LatencySummary summary : uncorrected == null ? List.of(corrected) : List.of(corrected, uncorrected)) {
                    maxMicros = Math.max(maxMicros, summary.maxMicros());
                    for (LatencySummary.Point p : summary.distribution()) {
                        maxMicros = Math.max(maxMicros, p.valueMicros());
                        if (p.percentile() < 100) {
                            maxPercentile = Math.max(maxPercentile, p.percentile());
                        }
                    }
                }
                int nines = (int) Math.min(7, Math.max(3, Math.ceil(Math.log10(100 / (100 - maxPercentile)) - 1e-9)));
                boolean micros = maxMicros < 1000;
                double scale = micros ? 1 : 1000;
                Svg.Axis x = Svg.Axis.percentile(nines);
                Svg.Axis y = Svg.Axis.linear("latency (" + (micros ? "µs" : "ms") + ")", 0, maxMicros / scale,
                        Figures::plain);
                List<Svg.Series> series = new ArrayList<>();
                series.add(new Svg.Series(Labels.of(family) + (scenario.closedLoop() ? " (closed loop)" : ""),
                        points(corrected, nines, scale), Svg.PALETTE.get(0), false));
                if (uncorrected != null) {
                    series.add(new Svg.Series("uncorrected", points(uncorrected, nines, scale), Svg.MUTED, true));
                }
                charts.add(Svg.lineChart(Labels.of(family) + " latency by percentile — " + tier.label(), x, y,
                        series, List.of(), p -> "p" + Figures.plain(p), v -> Figures.latency(v * scale)));
            }
        }
    }

    private static List<double[]> points(LatencySummary summary, int nines, double scale) {
        List<double[]> points = new ArrayList<>();
        for (LatencySummary.Point p : summary.distribution()) {
            points.add(new double[] {Svg.Axis.percentilePosition(p.percentile(), nines), p.valueMicros() / scale,
                    p.percentile()});
        }
        return points;
    }

    private static void timelineCharts(ScenarioResult scenario, List<String> charts) {
        if (scenario.tiers().stream().mapToInt(t -> t.timeline().size()).max().orElse(0) < 2) {
            return;
        }
        List<Svg.Marker> markers = new ArrayList<>();
        List<double[]> sent = new ArrayList<>();
        List<double[]> received = new ArrayList<>();
        List<double[]> connections = new ArrayList<>();
        List<double[]> rss = new ArrayList<>();
        List<double[]> cpu = new ArrayList<>();
        double offset = 0;
        double maxRate = 0;
        double maxConnections = 0;
        double maxRss = 0;
        for (TierResult tier : scenario.tiers()) {
            if (scenario.tiers().size() > 1) {
                markers.add(new Svg.Marker(offset, tier.label()));
            }
            double end = tier.durationSeconds();
            for (TimelineSample s : tier.timeline()) {
                double t = offset + s.elapsedSeconds();
                sent.add(new double[] {t, s.sentPerSecond()});
                received.add(new double[] {t, s.receivedPerSecond()});
                connections.add(new double[] {t, s.connections()});
                maxRate = Math.max(maxRate, Math.max(s.sentPerSecond(), s.receivedPerSecond()));
                maxConnections = Math.max(maxConnections, s.connections());
                if (s.serverRssBytes() >= 0) {
                    rss.add(new double[] {t, s.serverRssBytes() / (1024.0 * 1024)});
                    maxRss = Math.max(maxRss, s.serverRssBytes() / (1024.0 * 1024));
                }
                if (s.serverCpuPercent() >= 0) {
                    cpu.add(new double[] {t, s.serverCpuPercent()});
                }
                end = Math.max(end, s.elapsedSeconds());
            }
            offset += end;
        }
        Svg.Axis time = Svg.Axis.linear("seconds" + (scenario.tiers().size() > 1 ? " (tiers one after another)" : ""),
                0, offset, Figures::plain);
        DoubleFunction<String> at = t -> Figures.plain(t) + " s";
        charts.add(Svg.lineChart("Client throughput over time", time,
                Svg.Axis.linear("messages per second", 0, maxRate, Figures::rate),
                List.of(new Svg.Series("sent/s", sent, Svg.PALETTE.get(0), false),
                        new Svg.Series("received/s", received, Svg.PALETTE.get(2), true)), markers, at,
                v -> Figures.rate(v) + "/s"));
        charts.add(Svg.lineChart("Open connections over time", time,
                Svg.Axis.linear("connections", 0, maxConnections, Figures::rate),
                List.of(new Svg.Series("connections", connections, Svg.PALETTE.get(4), false)), markers, at,
                v -> Figures.count((long) v)));
        if (!rss.isEmpty()) {
            charts.add(Svg.lineChart("Server resident memory over time", time,
                    Svg.Axis.linear("RSS (MiB)", 0, maxRss, Figures::plain),
                    List.of(new Svg.Series("server RSS", rss, Svg.PALETTE.get(3), false)), markers, at,
                    v -> Figures.bytes((long) (v * 1024 * 1024))));
        }
        if (!cpu.isEmpty()) {
            double maxCpu = cpu.stream().mapToDouble(p -> p[1]).max().orElse(100);
            charts.add(Svg.lineChart("Server CPU over time", time,
                    Svg.Axis.linear("CPU % (100 = one core)", 0, Math.max(100, maxCpu), Figures::plain),
                    List.of(new Svg.Series("server CPU", cpu, Svg.PALETTE.get(5), false)), markers, at,
                    v -> Figures.sig3(v) + "%"));
        }
    }

    private static void comparisonCharts(ScenarioResult scenario, List<String> charts) {
        List<String> labels = scenario.tiers().stream().map(TierResult::label).toList();
        String latency = TierFigures.primaryLatency(scenario.tiers().getFirst()).orElse(null);
        if (latency != null) {
            double max = scenario.tiers().stream().filter(t -> t.latencies().containsKey(latency))
                    .mapToDouble(t -> t.latencies().get(latency).p99Micros()).max().orElse(0);
            double scale = max < 1000 ? 1 : 1000;
            String unit = max < 1000 ? "µs" : "ms";
            charts.add(Svg.barChart(Labels.of(latency) + " latency by tier", labels,
                    List.of(new Svg.Bars("p50", values(scenario, t -> latency(t, latency, "p50") / scale),
                                    Svg.PALETTE.get(0)),
                            new Svg.Bars("p99", values(scenario, t -> latency(t, latency, "p99") / scale),
                                    Svg.PALETTE.get(1))),
                    "latency (" + unit + ")", Figures::sig3));
        }
        String rate = TierFigures.primaryRate(scenario.tiers().getFirst()).orElse(null);
        if (rate != null) {
            charts.add(Svg.barChart(Labels.of(rate) + " by tier", labels,
                    List.of(new Svg.Bars(Labels.of(rate), values(scenario,
                            t -> t.rates().getOrDefault(rate, Double.NaN)), Svg.PALETTE.get(2))),
                    "per second", Figures::rate));
        }
    }

    private static double latency(TierResult tier, String name, String percentile) {
        LatencySummary summary = tier.latencies().get(name);
        return summary == null ? Double.NaN : summary.valueMicros(percentile);
    }

    private static double[] values(ScenarioResult scenario, ToDoubleFunction<TierResult> value) {
        return scenario.tiers().stream().mapToDouble(value).toArray();
    }

    private static String anchor(ScenarioResult scenario) {
        return "s-" + scenario.scenario().replaceAll("[^A-Za-z0-9_-]", "-");
    }

    private static Set<String> problemHeaders() {
        Set<String> headers = new HashSet<>();
        ScenarioTables.PROBLEM_COUNTERS.forEach(c -> headers.add(Labels.of(c)));
        headers.add("Loss");
        return Set.copyOf(headers);
    }

    private static final String CSS = """
            :root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--ok:#047857;--okbg:#ecfdf5;--bad:#b91c1c;--badbg:#fef2f2}
            *{box-sizing:border-box}
            body{margin:0;color:var(--fg);background:#f9fafb;
              font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
            main{max-width:1240px;margin:0 auto;padding:24px}
            h1{font-size:24px;margin:0}
            h2{font-size:19px;margin:0 0 8px}
            h3{font-size:15px;margin:16px 0 6px}
            .sub{color:var(--muted);margin:2px 0 16px}
            code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
            section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin:0 0 18px}
            .verdict.pass{border-left:6px solid var(--ok);background:var(--okbg)}
            .verdict.fail{border-left:6px solid var(--bad);background:var(--badbg)}
            .verdict.pass h2{color:var(--ok)}
            .verdict.fail h2{color:var(--bad)}
            .badge{display:inline-block;min-width:42px;text-align:center;border-radius:4px;padding:0 6px;
              font-weight:600;font-size:12px;color:#fff}
            .badge.ok{background:var(--ok)}
            .badge.bad{background:var(--bad)}
            dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:0}
            dt{color:var(--muted)}
            dd{margin:0;overflow-wrap:anywhere}
            nav{margin:0 0 18px}
            nav a{margin-left:10px;color:#1d4ed8}
            .scroll{overflow-x:auto;margin:10px 0}
            table{border-collapse:collapse;font-variant-numeric:tabular-nums;background:#fff}
            th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
            th{white-space:normal;vertical-align:bottom;min-width:3.5em}
            th{font-weight:600;background:#f3f4f6;font-size:12.5px}
            tbody tr:nth-child(even){background:#fafafa}
            .n{text-align:right}
            td.bad{color:var(--bad);font-weight:600}
            .params{color:var(--muted)}
            .callout{border-left:4px solid #d97706;background:#fffbeb;padding:8px 12px;margin:10px 0}
            .notes{color:#92400e}
            .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:14px;margin-top:14px}
            figure{margin:0;border:1px solid var(--line);border-radius:6px;background:#fff;padding:4px}
            svg.chart{width:100%;height:auto;display:block;font-family:system-ui,"DejaVu Sans",sans-serif}
            .chart-title{font-size:13px;font-weight:600;fill:var(--fg)}
            .tick,.legend,.value,.marker-label{font-size:10.5px;fill:var(--muted)}
            .value{text-anchor:middle;fill:var(--fg)}
            .axis-title{font-size:11px;fill:var(--muted)}
            .grid{stroke:var(--line);stroke-width:1}
            .axis{stroke:#9ca3af;stroke-width:1}
            .marker{stroke:#9ca3af;stroke-dasharray:3 3}
            circle{opacity:.75}
            circle:hover{opacity:1;stroke:#111;stroke-width:1.5}
            rect:hover{opacity:.8}
            details{margin-top:8px}
            summary{cursor:pointer;color:var(--ok);font-weight:600}
            footer{color:var(--muted);font-size:12px;text-align:center;margin-top:8px}
            """;
}
