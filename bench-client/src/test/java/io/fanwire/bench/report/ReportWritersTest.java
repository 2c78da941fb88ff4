package io.fanwire.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWritersTest {

    @Test
    void writesEveryFormatIntoTheDirectory(@TempDir Path tmp) throws IOException {
        RunReport report = SampleReports.realistic();
        Path dir = tmp.resolve("run-1");
        Map<ReportFormat, Path> written = ReportWriters.writeAll(report, dir, ReportWriters.allFormats());
        assertThat(written).containsExactly(
                Map.entry(ReportFormat.JSON, dir.resolve("report.json")),
                Map.entry(ReportFormat.TEXT, dir.resolve("report.txt")),
                Map.entry(ReportFormat.MARKDOWN, dir.resolve("report.md")),
                Map.entry(ReportFormat.HTML, dir.resolve("report.html")));
        assertThat(ReportJson.read(written.get(ReportFormat.JSON))).isEqualTo(report);
        assertThat(Files.readString(written.get(ReportFormat.TEXT))).isEqualTo(TextReport.render(report));
        assertThat(Files.readString(written.get(ReportFormat.MARKDOWN))).isEqualTo(MarkdownReport.render(report));
        assertThat(Files.readString(written.get(ReportFormat.HTML))).isEqualTo(HtmlReport.render(report));
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "report.json", "report.txt", "report.md", "report.html");
        }
    }

    @Test
    void writesOnlyTheFormatsAskedForAndIncludesTheBaseline(@TempDir Path dir) throws IOException {
        RunReport report = SampleReports.realistic();
        BaselineComparison same = BaselineComparison.compare(report, report);
        Map<ReportFormat, Path> written = ReportWriters.writeAll(report, same, dir,
                EnumSet.of(ReportFormat.MARKDOWN, ReportFormat.HTML));
        assertThat(written).containsOnlyKeys(ReportFormat.MARKDOWN, ReportFormat.HTML);
        assertThat(Files.readString(written.get(ReportFormat.MARKDOWN))).contains("### Compared with the baseline");
        assertThat(Files.readString(written.get(ReportFormat.HTML))).contains("Compared with the baseline: no regression");
    }

    @Test
    void formatsByName() {
        assertThat(ReportFormat.of("MD")).isEqualTo(ReportFormat.MARKDOWN);
        assertThat(ReportFormat.of("txt")).isEqualTo(ReportFormat.TEXT);
        assertThatThrownBy(() -> ReportFormat.of("pdf")).hasMessage("report format: pdf (expected: json, text, markdown, html)");
    }
}
