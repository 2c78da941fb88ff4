package io.fanwire.bench.report;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The formats a run report is written in, and the file name of each in the output directory. */
public enum ReportFormat {
    /** The record of the run ({@link ReportJson}); the other formats can be rendered again from it. */
    JSON("report.json"),
    /** Aligned tables for a terminal ({@link TextReport}). */
    TEXT("report.txt"),
    /** GitHub-flavoured Markdown for docs ({@link MarkdownReport}). */
    MARKDOWN("report.md"),
    /** One self-contained page with charts ({@link HtmlReport}). */
    HTML("report.html");

    private final String fileName;

    ReportFormat(String fileName) {
        this.fileName = fileName;
    }

    public String fileName() {
        return fileName;
    }

    /**
     * A format by name, as a user types it: {@code json}, {@code text} or {@code txt}, {@code markdown} or
     * {@code md}, {@code html}; case does not matter.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static ReportFormat of(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "json" -> JSON;
            case "text", "txt" -> TEXT;
            case "markdown", "md" -> MARKDOWN;
            case "html" -> HTML;
            default -> throw new IllegalArgumentException("report format: " + name + " (expected: "
                    + Arrays.stream(values()).map(f -> f.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
                    + ")");
        };
    }
}
