package io.fanwire.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes a run report in several formats into one directory: what {@code BenchMain} calls at the end of a run.
 *
 * <pre>{@code
 * Map<ReportFormat, Path> written = ReportWriters.writeAll(report, outputDir, EnumSet.allOf(ReportFormat.class));
 * System.out.print(TextReport.render(report));               // the final tables on the terminal
 * return Thresholds.exitCode(report.checks());               // 0, or 99 when a check failed
 * }</pre>
 */
public final class ReportWriters {

    private ReportWriters() {
    }

    /** Every format. */
    public static Set<ReportFormat> allFormats() {
        return EnumSet.allOf(ReportFormat.class);
    }

    /** Writes {@code report.json}, {@code .txt}, {@code .md}, {@code .html} as asked; see the overload. */
    public static Map<ReportFormat, Path> writeAll(RunReport report, Path dir, Set<ReportFormat> formats)
            throws IOException {
        return writeAll(report, null, dir, formats);
    }

    /**
     * Writes the report in each of {@code formats} to {@code dir}, creating it, replacing files of the same name.
     * Each file is written to a temporary name and moved into place, so that a reader never sees half a report.
     *
     * @param baseline a comparison with a previous run to include in the text, Markdown and HTML reports, or
     *                 {@code null}; the JSON record holds this run only
     * @return the files written, in {@link ReportFormat} order
     */
    public static Map<ReportFormat, Path> writeAll(RunReport report, BaselineComparison baseline, Path dir,
                                                   Set<ReportFormat> formats) throws IOException {
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(dir, "dir");
        Files.createDirectories(dir);
        Map<ReportFormat, Path> written = new EnumMap<>(ReportFormat.class);
        for (ReportFormat format : ReportFormat.values()) {
            if (!formats.contains(format)) {
                continue;
            }
            Path file = dir.resolve(format.fileName());
            Path temporary = dir.resolve("." + format.fileName() + ".tmp");
            Files.writeString(temporary, render(report, baseline, format));
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            written.put(format, file);
        }
        return written;
    }

    /** The report in one format; {@code baseline} may be null. */
    public static String render(RunReport report, BaselineComparison baseline, ReportFormat format) {
        return switch (format) {
            case JSON -> ReportJson.write(report);
            case TEXT -> TextReport.render(report, baseline);
            case MARKDOWN -> MarkdownReport.render(report, baseline);
            case HTML -> HtmlReport.render(report, baseline);
        };
    }
}
