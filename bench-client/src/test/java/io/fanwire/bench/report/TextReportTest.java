package io.fanwire.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class TextReportTest {

    private final String text = TextReport.render(SampleReports.realistic());

    @Test
    void headerNamesMachineJdkFlagsAndCommand() {
        assertThat(text).contains("Machine    bench-01 · Linux 6.1.0-27-amd64 amd64 · 2 cores · 24.0 GiB RAM",
                "JDK        Eclipse Adoptium 25.0.1+8-LTS",
                "JVM flags  -XX:+UseCompactObjectHeaders -XX:+UseZGC --enable-native-access=ALL-UNNAMED",
                "Command    fanwire bench all --url", "Run        2026-11-23 20:00:00 UTC, 1 min 35 s",
                "Target     ws://127.0.0.1:8080/ws — fanwire 0.1.0-SNAPSHOT (pid 41872)");
    }

    @Test
    void tierTableHasAlignedColumnsOnlyForRecordedMetrics() {
        List<String> lines = section("Ping latency (ping-latency)");
        String header = lines.stream().filter(l -> l.startsWith("  Tier  ")).findFirst().orElseThrow();
        assertThat(header.split(" {2,}")).containsExactly("", "Tier", "Conns", "Time", "Sent/s", "Recv/s",
                "Srv recv/s", "Sent", "Received", "Srv received", "Lost", "Loss", "Late sends", "Errors");
        String row = lines.get(lines.indexOf(header) + 4);
        assertThat(row.split(" {2,}")).containsExactly("", "5000 conns", "5,000", "10 s", "50.0k", "50.0k",
                "50.0k", "500,000", "499,958", "499,988", "42", "0.00840%", "1,204", "3");
        // numbers are right-aligned: every row ends at the same column
        assertThat(lines.subList(lines.indexOf(header), lines.indexOf(header) + 5))
                .extracting(String::length).containsOnly(header.length());
        assertThat(lines).noneMatch(l -> l.contains("Gaps")).contains("payload_bytes=64 · encoding=json · rate_per_conn=10/s");
    }

    @Test
    void latencyTablePutsUncorrectedBesideCorrectedInMillis() {
        List<String> lines = section("Ping latency (ping-latency)");
        assertThat(lines).anySatisfy(l -> assertThat(l.split(" {2,}")).containsExactly("", "Tier", "Latency",
                "Samples", "p50 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms"));
        int rtt = indexOf(lines, "  100 conns   RTT ");
        assertThat(lines.get(rtt).split(" {2,}")).containsExactly("", "100 conns", "RTT", "10,000", "0.180",
                "0.568", "0.910", "1.90", "3.10");
        assertThat(lines.get(rtt + 1)).contains("RTT uncorrected");
    }

    @Test
    void closedLoopScenarioSaysSoAndFanoutShowsGapsAndDeliveries() {
        assertThat(section("Echo ping-pong (echo)")).anyMatch(l -> l.contains("RTT (closed loop)"))
                .anyMatch(l -> l.contains("Closed loop: each connection waits"));
        List<String> fanout = section("Fan-out (fanout)");
        assertThat(fanout).anyMatch(l -> l.contains("Deliveries/s") && l.contains("Gaps") && l.contains("Duplicates"))
                .anyMatch(l -> l.contains("1.00M"));
    }

    @Test
    void httpScenarioShowsRequestsAndHttpLatency() {
        List<String> http = section("HTTP publish (http-publish)");
        assertThat(http).anyMatch(l -> l.contains("Req/s") && l.contains("HTTP errors") && l.contains("Requests"))
                .anyMatch(l -> l.contains("8.50k")).anyMatch(l -> l.contains("HTTP ") && l.contains("15.0"));
    }

    @Test
    void serverResourcesAndNotes() {
        List<String> ping = section("Ping latency (ping-latency)");
        assertThat(ping).anyMatch(l -> l.contains("RSS/conn") && l.contains("Open FDs"))
                .anyMatch(l -> l.contains("- 5000 conns: 1204 sends could not go out at their intended time"));
    }

    @Test
    void checksComeLastWithPassAndFail() {
        assertThat(text).containsPattern("  FAIL    p99<5ms +ping-latency/5000 conns +11.8ms\n")
                .containsPattern("  PASS    fanout:gaps==0  fanout/1 pub → 1000 subs +0\n")
                .endsWith("FAILED: 3 of 5 checks passed\n");
        assertThat(TextReport.render(SampleReports.minimal())).endsWith("PASSED: no checks\n");
    }

    @Test
    void writesTheSampleForPeopleToRead() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "sample-report"));
        Files.writeString(dir.resolve("report.txt"), text);
        Files.writeString(dir.resolve("report.md"), MarkdownReport.render(SampleReports.realistic()));
    }

    private List<String> section(String title) {
        List<String> lines = text.lines().toList();
        int start = lines.indexOf(title);
        assertThat(start).as("section " + title).isNotNegative();
        int end = start + 2;
        while (end < lines.size() && !(lines.get(end).startsWith("═") || lines.get(end).equals("Checks"))) {
            end++;
        }
        return lines.subList(start, end);
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no line starts with " + prefix);
    }
}
