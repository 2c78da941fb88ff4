package io.fanwire.bench.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Writes the sample report in every format, compared with a baseline, for a person to look at:
 * {@code /tmp/fanwire-bench-sample/report.html} after any run of the tests, or run {@link #main} with a directory.
 */
class WriteSampleReportTest {

    static final Path DEFAULT_DIR = Path.of(System.getProperty("java.io.tmpdir"), "fanwire-bench-sample");

    @Test
    void writesTheSampleToTheTemporaryDirectory() throws IOException {
        write(DEFAULT_DIR);
    }

    static Map<ReportFormat, Path> write(Path dir) throws IOException {
        RunReport baseline = SampleReports.realistic();
        RunReport current = SampleReports.slowerAt1000Conns(baseline);
        RunReport checked = new RunReport(current.schemaVersion(), current.startedAt(), current.finishedAt(),
                current.environment(), current.target(), current.scenarios(),
                Thresholds.evaluate(Thresholds.parseAll(java.util.List.of("p99<5ms", "errors==0", "loss<0.01%",
                        "fanout:gaps==0", "fanout:deliveries_per_s>=500k")), current.scenarios()));
        return ReportWriters.writeAll(checked, BaselineComparison.compare(baseline, checked), dir,
                ReportWriters.allFormats());
    }

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 ? Path.of(args[0]) : DEFAULT_DIR;
        write(dir).forEach((format, file) -> System.out.println(format + " " + file.toAbsolutePath()));
    }
}
