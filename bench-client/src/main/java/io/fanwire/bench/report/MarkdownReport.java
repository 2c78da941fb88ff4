package io.fanwire.bench.report;

import java.util.List;

/**
 * The report as GitHub-flavoured Markdown, to paste into {@code docs/BENCHMARKS.md}: the environment, the
 * checks, then per scenario the same tables as the text report.
 */
public final class MarkdownReport {

    private MarkdownReport() {
    }

    /** The report as Markdown; headings start at level 2 so that it can go under a document's own title. */
    public static String render(RunReport report) {
        return render(report, null);
    }

    /** The report with the comparison against a baseline after the checks; {@code baseline} may be null. */
    public static String render(RunReport report, BaselineComparison baseline) {
        StringBuilder out = new StringBuilder();
        out.append("## Fanwire bench run, ").append(Header.when(report)).append("\n\n");
        out.append("| | |\n|---|---|\n");
        Header.lines(report).forEach((label, value) -> {
            String cell = label.equals("Command") || label.equals("JVM flags") ? code(value) : Table.markdownCell(value);
            out.append("| **").append(label).append("** | ").append(cell).append(" |\n");
        });
        out.append('\n');

        if (!report.checks().isEmpty()) {
            out.append("**").append(report.passed() ? "Passed" : "Failed").append(":** ")
                    .append(ScenarioTables.checksSummary(report.checks())).append("\n\n");
            out.append(ScenarioTables.checks(report.checks()).toMarkdown()).append('\n');
        }
        Table summary = ScenarioTables.summary(report.scenarios());
        if (summary.rows().size() > 1) {
            out.append("### Summary\n\n").append(summary.toMarkdown()).append('\n');
        }
        if (baseline != null) {
            out.append(baseline.toMarkdown()).append('\n');
        }

        for (ScenarioResult scenario : report.scenarios()) {
            out.append("### ").append(escape(scenario.title())).append(" (`").append(scenario.scenario())
                    .append("`)\n\n");
            out.append(escape(scenario.measures())).append('\n');
            String common = ScenarioTables.commonParameters(scenario);
            if (!common.isEmpty()) {
                out.append('\n').append("Every tier: ").append(code(common)).append('\n');
            }
            out.append('\n');
            if (scenario.tiers().isEmpty()) {
                out.append("No tier ran.\n\n");
            } else {
                out.append(ScenarioTables.tiers(scenario).toMarkdown()).append('\n');
                Table latencies = ScenarioTables.latencies(scenario);
                if (!latencies.isEmpty()) {
                    out.append(latencies.toMarkdown()).append('\n');
                }
                Table server = ScenarioTables.server(scenario);
                if (!server.isEmpty()) {
                    out.append("Server resources:\n\n").append(server.toMarkdown()).append('\n');
                }
            }
            if (scenario.closedLoop()) {
                out.append("> ").append(escape(ScenarioTables.CLOSED_LOOP_NOTE)).append("\n\n");
            }
            List<String> notes = ScenarioTables.notes(scenario);
            if (!notes.isEmpty()) {
                notes.forEach(n -> out.append("- ").append(escape(n)).append('\n'));
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** Escapes the characters that would start Markdown markup in running text. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if ("\\`*_[]<>|#".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c == '\n' ? ' ' : c);
        }
        return out.toString();
    }

    private static String code(String text) {
        String fence = text.contains("`") ? "`` " : "`";
        String end = text.contains("`") ? " ``" : "`";
        return fence + text.replace("|", "\\|").replace("\n", " ") + end;
    }
}
