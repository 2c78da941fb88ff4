package io.fanwire.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A table of already formatted cells, rendered as aligned text, GitHub-flavoured Markdown or HTML rows. The
 * writers build one table per figure and render it in their format, so every format shows the same columns.
 */
final class Table {

    /** A column: its header and whether its cells are numbers (right-aligned). */
    record Column(String header, boolean numeric) {
        Column {
            Objects.requireNonNull(header, "header");
        }

        static Column text(String header) {
            return new Column(header, false);
        }

        static Column number(String header) {
            return new Column(header, true);
        }
    }

    private final List<Column> columns;
    private final List<List<String>> rows = new ArrayList<>();

    Table(List<Column> columns) {
        this.columns = List.copyOf(columns);
    }

    Table row(List<String> cells) {
        if (cells.size() != columns.size()) {
            throw new IllegalArgumentException("cells: " + cells.size() + " (expected: " + columns.size() + ")");
        }
        rows.add(List.copyOf(cells));
        return this;
    }

    List<Column> columns() {
        return columns;
    }

    List<List<String>> rows() {
        return rows;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** Aligned columns separated by two spaces, a rule under the header, every line indented by {@code indent}. */
    String toText(String indent) {
        int[] widths = new int[columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            widths[c] = width(columns.get(c).header());
            for (List<String> row : rows) {
                widths[c] = Math.max(widths[c], width(row.get(c)));
            }
        }
        StringBuilder out = new StringBuilder();
        List<String> headers = columns.stream().map(Column::header).toList();
        line(out, indent, headers, widths);
        out.append(indent);
        for (int c = 0; c < widths.length; c++) {
            out.append(c == 0 ? "" : "  ").append("─".repeat(widths[c]));
        }
        out.append('\n');
        for (List<String> row : rows) {
            line(out, indent, row, widths);
        }
        return out.toString();
    }

    private void line(StringBuilder out, String indent, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder(indent);
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            String pad = " ".repeat(widths[c] - width(cell));
            if (c > 0) {
                line.append("  ");
            }
            line.append(columns.get(c).numeric() ? pad + cell : cell + pad);
        }
        out.append(stripTrailing(line)).append('\n');
    }

    /** A GitHub-flavoured Markdown table; numeric columns are right-aligned, pipes in cells escaped. */
    String toMarkdown() {
        StringBuilder out = new StringBuilder("|");
        for (Column column : columns) {
            out.append(' ').append(markdownCell(column.header())).append(" |");
        }
        out.append("\n|");
        for (Column column : columns) {
            out.append(column.numeric() ? "---:|" : "---|");
        }
        out.append('\n');
        for (List<String> row : rows) {
            out.append('|');
            for (String cell : row) {
                out.append(' ').append(markdownCell(cell)).append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    static String markdownCell(String text) {
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ");
    }

    /** Display width in a monospace terminal: code points, not UTF-16 units. */
    static int width(String text) {
        return text.codePointCount(0, text.length());
    }

    private static String stripTrailing(StringBuilder line) {
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == ' ') {
            end--;
        }
        return line.substring(0, end);
    }
}
