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

/**
 * {@code fanwire demo} end to end: the packaged server jar started as a child process, the quick suite against
 * it, every report written, the server drained with SIGTERM and exiting 0.
 */
class DemoIT {

    @TempDir
    Path dir;

    @Test
    void theDemoRunsTheQuickSuiteAgainstItsOwnServerAndWritesTheReports() throws Exception {
        Path serverJar = Path.of("..", "server", "target", "fanwire-server.jar").toAbsolutePath().normalize();
        assertThat(serverJar).as("the server module packages its jar before this module's integration tests").exists();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = BenchMain.run(new String[] {"demo", "--out", dir.toString(), "--server-jar", serverJar.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(printed + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed).contains("demo: server ready on ws://127.0.0.1:")
                .contains("server stopped with SIGTERM (graceful drain), exit code 0")
                .contains("demo: open the report: file://" + dir.resolve("report.html").toAbsolutePath());
        JsonNode report = new ObjectMapper().readTree(Files.readString(dir.resolve("report.json")));
        assertThat(report.path("scenarios").size()).isEqualTo(6);
        for (JsonNode scenario : report.path("scenarios")) {
            for (JsonNode tier : scenario.path("tiers")) {
                assertThat(tier.path("counters").path("errors").asLong())
                        .as(scenario.path("scenario").asText() + " " + tier.path("label").asText()).isZero();
                assertThat(tier.path("counters").path("lost").asLong())
                        .as(scenario.path("scenario").asText() + " " + tier.path("label").asText()).isZero();
            }
        }
        assertThat(Files.readString(dir.resolve("report.html"))).contains("<svg");
        assertThat(Files.readString(dir.resolve("server.log"))).contains("Fanwire stopped");
    }
}
