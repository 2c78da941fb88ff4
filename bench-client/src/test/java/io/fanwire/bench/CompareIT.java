package io.fanwire.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code fanwire bench compare} end to end: Fanwire's packaged jar and the Node {@code ws} peer started in turn
 * (three pairs), the same scenario against each, and a comparison whose figures come from all six runs. Skipped
 * when the peer is not installed, unless {@code FANWIRE_REQUIRE_PEERS=1}.
 */
@Timeout(value = 180)
class CompareIT {

    @TempDir
    Path dir;

    @Test
    void threePairsAlternateBetweenFanwireAndThePeerAndEveryFigureHasARatioFromEachPair() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        boolean installed = Files.isDirectory(root.resolve("peers/node_modules/ws"));
        if (!installed && "1".equals(System.getenv("FANWIRE_REQUIRE_PEERS"))) {
            throw new AssertionError("FANWIRE_REQUIRE_PEERS=1 but peers/node_modules is missing (peers/install.sh)");
        }
        assumeTrue(installed, "the peers are not installed (peers/install.sh): skipped");
        Path serverJar = root.resolve("server/target/fanwire-server.jar");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = BenchMain.run(new String[] {"compare", "--peer", "node-ws", "--scenario", "ping-latency",
                "--pairs", "3", "--warmup", "500ms", "--pause", "0s", "--out", dir.toString(), "--server-jar",
                serverJar.toString(), "--root", root.toString(), "--", "--tiers", "20", "--duration", "1s",
                "--rate", "10", "--cooldown", "0s"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(printed + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed).contains("compare: pair 1 of 3: fanwire", "compare: pair 1 of 3: node-ws",
                "compare: pair 3 of 3: node-ws", "Fanwire ÷ node-ws");
        for (int pair = 1; pair <= 3; pair++) {
            for (String side : new String[] {"fanwire", "node-ws"}) {
                JsonNode run = new ObjectMapper().readTree(dir.resolve("pair-" + pair + "-" + side).resolve("report.json")
                        .toFile());
                JsonNode tier = run.path("scenarios").path(0).path("tiers").path(0);
                assertThat(tier.path("counters").path("errors").asLong()).as(side + " " + pair).isZero();
                assertThat(tier.path("counters").path("received").asLong()).as(side + " " + pair)
                        .isEqualTo(tier.path("counters").path("sent").asLong()).isPositive();
            }
        }
        assertThat(dir.resolve("pair-1-fanwire/server.log")).exists();
        assertThat(dir.resolve("pair-1-node-ws/peer.log")).content().contains("node-ws peer listening");

        JsonNode comparison = new ObjectMapper().readTree(dir.resolve("compare.json").toFile());
        assertThat(comparison.path("peer").asText()).isEqualTo("node-ws");
        assertThat(comparison.path("pairs").asInt()).isEqualTo(3);
        JsonNode figures = comparison.path("tiers").path(0).path("figures");
        assertThat(figures.size()).isGreaterThanOrEqualTo(3);
        for (JsonNode figure : figures) {
            assertThat(figure.path("fanwire").size()).as(figure.toString()).isEqualTo(3);
            assertThat(figure.path("peer").size()).as(figure.toString()).isEqualTo(3);
            assertThat(figure.path("ratios").size()).as(figure.toString()).isEqualTo(3);
            assertThat(figure.path("ratioMin").asDouble()).isLessThanOrEqualTo(figure.path("ratioMedian").asDouble());
            assertThat(figure.path("ratioMedian").asDouble()).isLessThanOrEqualTo(figure.path("ratioMax").asDouble());
        }
        assertThat(figures.findValuesAsText("name")).contains("rtt p50 (ms)", "rtt p99 (ms)");
        assertThat(dir.resolve("compare.md")).content().contains("| rtt p99 (ms) |");
    }

    @Test
    void optionsTheComparisonOwnsAndTooFewPairsAreUsageErrors() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

        assertThat(BenchMain.run(new String[] {"compare", "--peer", "uws", "--scenario", "ping-latency", "--pairs",
                "2"}, o, e)).isEqualTo(2);
        assertThat(BenchMain.run(new String[] {"compare", "--peer", "uws", "--scenario", "ping-latency", "--",
                "--url", "ws://127.0.0.1:1/ws"}, o, e)).isEqualTo(2);
        assertThat(BenchMain.run(new String[] {"compare", "--peer", "nginx", "--scenario", "ping-latency"}, o, e))
                .isEqualTo(2);
        assertThat(BenchMain.run(new String[] {"compare", "--peer", "uws", "--scenario", "ping-latency", "--",
                "--no-such-option"}, o, e)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("at least 3", "--url: compare sets it",
                "--peer nginx", "no-such-option");
    }
}
