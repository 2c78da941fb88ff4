package io.fanwire.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.bench.scenario.TestServerAccess;

class BenchMainIT {

    @TempDir
    Path dir;

    @Test
    void theLaunchersArgumentsRunAScenarioAndWriteItsReport() throws Exception {
        try (AutoCloseable server = TestServerAccess.start()) {
            String[] scenarioArgs = TestServerAccess.args(server, "ping-latency", "--tiers", "10", "--duration", "500ms",
                    "--rate", "10", "--source-addresses", "127.0.0.1-127.0.0.3", "--out", dir.toString());
            // ./fanwire bench passes "bench" first.
            String[] args = new String[scenarioArgs.length + 1];
            args[0] = "bench";
            System.arraycopy(scenarioArgs, 0, args, 1, scenarioArgs.length);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();

            int exit = BenchMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));

            assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("preflight: file descriptors");
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("Ping latency (ping-latency)", "RTT")
                    .contains("report (html): " + dir.resolve("report.html"));
            assertThat(dir.resolve("report.txt")).exists();
            assertThat(dir.resolve("report.md")).exists();
            assertThat(Files.readString(dir.resolve("report.html"))).contains("<svg");
            JsonNode report = new ObjectMapper().readTree(Files.readString(dir.resolve("report.json")));
            assertThat(report.path("schemaVersion").asInt()).isEqualTo(1);
            assertThat(report.path("target").path("serverName").asText()).isEqualTo("fanwire");
            assertThat(report.path("environment").path("command").asText()).contains("--secret ***")
                    .doesNotContain("bench-test-secret");
            JsonNode tier = report.path("scenarios").path(0).path("tiers").path(0);
            assertThat(tier.path("counters").path("connected").asLong()).isEqualTo(10);
            assertThat(tier.path("latencies").path("rtt").path("count").asLong())
                    .isEqualTo(tier.path("counters").path("sent").asLong());
        }
    }

    @Test
    void aFailedThresholdSetsTheExitCodeAndAHeldOneDoesNot() throws Exception {
        try (AutoCloseable server = TestServerAccess.start()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream errStream = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

            int held = BenchMain.run(TestServerAccess.args(server, "ping-latency", "--tiers", "5", "--duration", "300ms",
                    "--rate", "10", "--threshold", "errors==0", "--threshold", "loss<1%"), outStream, errStream);
            int failed = BenchMain.run(TestServerAccess.args(server, "ping-latency", "--tiers", "5", "--duration", "300ms",
                    "--rate", "10", "--threshold", "rtt.p99<1us", "--out", dir.toString()), outStream, errStream);

            assertThat(held).as(out.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(failed).isEqualTo(99);
            JsonNode report = new ObjectMapper().readTree(Files.readString(dir.resolve("report.json")));
            assertThat(report.path("checks").path(0).path("expression").asText()).isEqualTo("rtt.p99<1us");
            assertThat(report.path("checks").path(0).path("passed").asBoolean()).isFalse();
        }
    }

    @Test
    void aBadThresholdIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = BenchMain.run(new String[] {"bench", "ping-latency", "--url", "ws://127.0.0.1:9/ws", "--tiers", "1",
                "--threshold", "p99<<fast"}, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("p99<<fast");
    }

    @Test
    void usageErrorsAndHelp() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream outStream = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(BenchMain.run(new String[] {"bench"}, outStream, errStream)).isEqualTo(2);
        assertThat(BenchMain.run(new String[] {"bench", "nope"}, outStream, errStream)).isEqualTo(2);
        assertThat(BenchMain.run(new String[] {"bench", "echo", "--mode", "zigzag", "--url", "ws://127.0.0.1:9/ws",
                "--tiers", "1"}, outStream, errStream)).isEqualTo(2);
        assertThat(BenchMain.run(new String[] {"bench", "fanout", "--help"}, outStream, errStream)).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("connect-storm", "ping-latency", "suite");
    }
}
