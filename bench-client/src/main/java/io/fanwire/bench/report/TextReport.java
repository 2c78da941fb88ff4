package io.fanwire.bench.report;

import java.util.List;
import java.util.Map;

/**
 * The report for a terminal: the environment, then per scenario its tier table, latency table and server
 * resources, notes, and the checks last so that the verdict is what stays on screen.
 */
public final class TextReport {

    private TextReport() {
    }

    /** The report as plain UTF-8 text, lines at most as wide as the widest table. */
    public static String render(RunReport report) {
        return render(report, null);
    }

    /** The report with the comparison against a baseline before the checks; {@code baseline} may be null. */
    public static String render(RunReport report, BaselineComparison baseline) {
        StringBuilder out = new StringBuilder();
        out.append("Fanwire bench report\n");
        Map<String, String> header = Header.lines(report);
        int width = header.keySet().stream().mapToInt(String::length).max().orElse(0);
        header.forEach((label, value) -> out.append(pad(label, width)).append("  ").append(value).append('\n'));
        Table summary = ScenarioTables.summary(report.scenarios());
        if (summary.rows().size() > 1) {
            out.append("\nSummary\n").append(summary.toText("  "));
        }

        for (ScenarioResult scenario : report.scenarios()) {
            out.append('\n');
            String title = scenario.title() + " (" + scenario.scenario() + ")";
            out.append(title).append('\n').append("═".repeat(Table.width(title))).append('\n');
            out.append(scenario.measures()).append('\n');
            String common = ScenarioTables.commonParameters(scenario);
            if (!common.isEmpty()) {
                out.append(common).append('\n');
            }
            if (scenario.tiers().isEmpty()) {
                out.append("\nNo tier ran.\n");
            } else {
                out.append('\n').append(ScenarioTables.tiers(scenario).toText("  "));
                Table latencies = ScenarioTables.latencies(scenario);
                if (!latencies.isEmpty()) {
                    out.append('\n').append(latencies.toText("  "));
                }
                Table server = ScenarioTables.server(scenario);
                if (!server.isEmpty()) {
                    out.append("\n  Server\n").append(server.toText("  "));
                }
            }
            if (scenario.closedLoop()) {
                out.append('\n').append(wrap(ScenarioTables.CLOSED_LOOP_NOTE, "  ", 100));
            }
            List<String> notes = ScenarioTables.notes(scenario);
            if (!notes.isEmpty()) {
                out.append("\n  Notes\n");
                notes.forEach(n -> out.append(wrap("- " + n, "  ", 100)));
            }
        }

        out.append('\n');
        if (baseline != null) {
            out.append(baseline.toText()).append('\n');
        }
        if (!report.checks().isEmpty()) {
            out.append("Checks\n").append(ScenarioTables.checks(report.checks()).toText("  "));
        }
        out.append(report.passed() ? "PASSED" : "FAILED").append(": ")
                .append(ScenarioTables.checksSummary(report.checks())).append('\n');
        return out.toString();
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - Table.width(text)));
    }

    /** Wraps at spaces; continuation lines are indented two more than the first. */
    static String wrap(String text, String indent, int width) {
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder(indent);
        String continuation = indent + "  ";
        for (String word : text.split(" ")) {
            if (line.length() > continuation.length() && line.length() + 1 + word.length() > width) {
                out.append(line).append('\n');
                line = new StringBuilder(continuation);
            } else if (line.length() > indent.length() && !line.toString().equals(continuation)) {
                line.append(' ');
            }
            line.append(word);
        }
        return out.append(line).append('\n').toString();
    }
}
