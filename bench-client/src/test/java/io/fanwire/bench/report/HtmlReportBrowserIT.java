package io.fanwire.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * Opens the HTML report in a real browser, Debian's headless Chromium, offline: what it rendered must be what
 * was written (no element dropped or moved by the HTML parser, every chart an SVG element) and a screenshot
 * must come out. Skipped when Chromium is not installed, unless {@code FANWIRE_REQUIRE_CHROMIUM=1} (CI).
 */
class HtmlReportBrowserIT {

    private static final long TIMEOUT_SECONDS = 90;

    private static Path chromium;

    @TempDir
    static Path dir;

    @BeforeAll
    static void findChromium() {
        chromium = locate();
        boolean required = "1".equals(System.getenv("FANWIRE_REQUIRE_CHROMIUM"));
        if (chromium == null && required) {
            throw new AssertionError("FANWIRE_REQUIRE_CHROMIUM=1 but no chromium on the PATH "
                    + "(apt-get install chromium)");
        }
        assumeTrue(chromium != null, "Chromium is not installed (apt-get install chromium): the browser test of the "
                + "HTML report is skipped");
    }

    @Test
    void chromiumRendersEveryChartAndElementOfTheReport() throws Exception {
        RunReport report = SampleReports.realistic();
        Path page = ReportWriters.writeAll(report, dir.resolve("report"), java.util.Set.of(ReportFormat.HTML))
                .get(ReportFormat.HTML);

        String dom = run("--dump-dom", page.toUri().toString());

        assertThat(dom).contains("<title>Fanwire bench 2026-11-23 20:00:00 UTC — FAILED</title>");
        assertThat(count(dom, "svg")).isEqualTo(HtmlReportTest.SAMPLE_CHARTS);
        Document written = HtmlReportTest.parse(Files.readString(page));
        for (String tag : List.of("section", "table", "tr", "td", "svg", "path", "circle", "rect", "text", "figure")) {
            assertThat(count(dom, tag)).as("<%s> elements the browser kept", tag)
                    .isEqualTo(written.getElementsByTagName(tag).getLength());
        }
        assertThat(dom).contains("Failed: 3 of 5 checks passed", "RTT latency by percentile — 5000 conns");
    }

    @Test
    void chromiumTakesAScreenshot() throws Exception {
        Path page = ReportWriters.writeAll(SampleReports.realistic(), dir.resolve("shot"),
                java.util.Set.of(ReportFormat.HTML)).get(ReportFormat.HTML);
        Path png = Files.createDirectories(Path.of("target", "sample-report")).resolve("report-chromium.png")
                .toAbsolutePath();
        Files.deleteIfExists(png);
        run("--screenshot=" + png, "--window-size=1280,2400", "--hide-scrollbars", page.toUri().toString());
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes.length).isGreaterThan(50_000); // a blank page compresses to a few kB
        assertThat(new String(bytes, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
        int width = readInt(bytes, 16);
        int height = readInt(bytes, 20);
        assertThat(width).isEqualTo(1280);
        assertThat(height).isEqualTo(2400);
    }

    private static String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--disable-gpu",
                "--no-sandbox", "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--user-data-dir=" + Files.createTempDirectory(dir, "profile")));
        command.addAll(List.of(args));
        Path stderr = Files.createTempFile(dir, "chromium", ".log");
        Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        byte[] out;
        try (InputStream in = process.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish in " + TIMEOUT_SECONDS + " s");
        }
        assertThat(process.exitValue()).as("chromium exit code; stderr:%n%s", Files.readString(stderr)).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }

    private static int count(String dom, String tag) {
        Matcher m = Pattern.compile("<" + tag + "[\\s>/]").matcher(dom);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static int readInt(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xff) << 24) | ((bytes[offset + 1] & 0xff) << 16) | ((bytes[offset + 2] & 0xff) << 8)
                | (bytes[offset + 3] & 0xff);
    }

    private static Path locate() {
        String path = System.getenv("PATH");
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String entry : path == null ? new String[0] : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(entry, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }
}
