package io.fanwire.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class MarkdownReportTest {

    private final String markdown = MarkdownReport.render(SampleReports.realistic());

    @Test
    void startsWithTheEnvironmentAndTheChecks() {
        assertThat(markdown).startsWith("## Fanwire bench run, 2026-11-23 20:00:00 UTC\n\n| | |\n|---|---|\n")
                .contains("| **Machine** | bench-01 · Linux 6.1.0-27-amd64 amd64 · 2 cores · 24.0 GiB RAM |",
                        "| **JVM flags** | `-XX:+UseCompactObjectHeaders -XX:+UseZGC --enable-native-access=ALL-UNNAMED` |",
                        "| **Command** | `fanwire bench all --url ws://127.0.0.1:8080/ws",
                        "**Failed:** 3 of 5 checks passed",
                        "| FAIL | p99<5ms | ping-latency/5000 conns | 11.8ms |");
        assertThat(markdown.indexOf("**Failed:**")).isLessThan(markdown.indexOf("### Summary"));
    }

    @Test
    void summaryAndScenarioTablesAreGithubTablesWithNumbersRightAligned() {
        assertThat(markdown).contains("### Summary\n\n| Scenario | Tier | Conns | Time | Throughput | Latency | p50 ms "
                        + "| p99 ms | p99.9 ms | Loss | Errors |\n|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|\n",
                "| fanout | 1 pub → 1000 subs | 1,001 | 10 s | 1.00M deliveries/s | Delivery | 1.20 | 4.10 | 8.80 | 0% | 0 |",
                "### Ping latency (`ping-latency`)\n\nEach connection sends a paced ping",
                "\nEvery tier: `payload_bytes=64 · encoding=json · rate_per_conn=10/s`\n",
                "| 5000 conns | 5,000 | 10 s | 50.0k | 50.0k | 50.0k | 500,000 | 499,958 | 499,988 | 42 | 0.00840% "
                        + "| 1,204 | 3 |",
                "| 100 conns | RTT uncorrected | 10,000 | 0.162 | 0.329 | 0.410 | 0.570 | 0.775 |",
                "- 5000 conns: 1204 sends could not go out at their intended time",
                "> Closed loop: each connection waits");
    }

    @Test
    void escapesMarkupInTextAndPipesInCells() {
        RunReport sample = SampleReports.realistic();
        ScenarioResult odd = new ScenarioResult("a|b", "*Bold* title", "uses `ticks` | pipes", false,
                SampleReports.http().tiers(), List.of("see <http://x>"));
        RunReport report = new RunReport(sample.schemaVersion(), sample.startedAt(), sample.finishedAt(),
                sample.environment(), sample.target(), List.of(odd),
                List.of(new CheckResult("a|b:p99<5ms", "a|b/50 conns", "15.0ms", false)));
        String md = MarkdownReport.render(report);
        assertThat(md).contains("### \\*Bold\\* title (`a|b`)", "uses \\`ticks\\` \\| pipes", "- see \\<http://x\\>",
                "| FAIL | a\\|b:p99<5ms | a\\|b/50 conns | 15.0ms |");
    }
}
