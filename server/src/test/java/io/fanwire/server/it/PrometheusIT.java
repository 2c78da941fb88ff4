package io.fanwire.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.Exposition;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.TestServers;

/**
 * Our exposition against the real tools: {@code promtool check metrics} accepts it, and a real Prometheus on
 * loopback scrapes a running server and answers queries for its series with what the test did. Needs Debian's
 * {@code prometheus} package ({@code /usr/bin/prometheus}, {@code /usr/bin/promtool}), which {@code .ci/run}
 * installs; skipped on a developer machine without it, but a failure when {@code FANWIRE_REQUIRE_PROMETHEUS=1}
 * (as CI sets it).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PrometheusIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration STARTUP = Duration.ofSeconds(90);

    private static Path promtool;
    private static Path prometheus;

    @BeforeAll
    static void findTools() {
        promtool = onPath("promtool").orElse(null);
        prometheus = onPath("prometheus").orElse(null);
        boolean present = promtool != null && prometheus != null;
        String why = "promtool and prometheus on the PATH (apt-get install --no-install-recommends prometheus)";
        if ("1".equals(System.getenv("FANWIRE_REQUIRE_PROMETHEUS"))) {
            assertThat(present).as(why + ", required by FANWIRE_REQUIRE_PROMETHEUS=1").isTrue();
        } else {
            Assumptions.assumeTrue(present, why);
        }
    }

    @Test
    void promtoolAcceptsTheExpositionAndPrometheusScrapesTheServer(@TempDir Path dir) throws Exception {
        try (FanwireServer server = TestServers.start()) {
            // A client connects, subscribes and sends three messages; a publication goes out to it.
            try (JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("prom-user"))) {
                client.nextOfType("server_ready");
                client.sendText("{\"t\":\"subscription\",\"p\":{\"topics\":[\"prom.room\"]}}");
                client.nextOfType("subscription_update");
                for (int i = 0; i < 3; i++) {
                    client.sendText("{\"t\":\"chat\",\"p\":{\"n\":" + i + "}}");
                }
                server.publish("prom.room", Envelope.of("note", Envelope.newPayload().put("x", 1)));
                client.nextOfType("note");
                Await.until("the server counted the four messages", Duration.ofSeconds(10),
                        () -> server.stats().messagesIn.sum() == 4);
            }
            Await.until("the connection closed", Duration.ofSeconds(10), () -> server.stats().disconnects.total() == 1);

            promtoolChecks(Exposition.scrape(server.port()), dir);

            int port = freeLoopbackPort();
            Process process = startPrometheus(dir, server.port(), port);
            try {
                Await.until("Prometheus scraped the server (up{job=\"fanwire\"} == 1)", STARTUP, () -> {
                    assertThat(process.isAlive()).as("prometheus still running; its log:\n" + log(dir)).isTrue();
                    return query(port, "up{job=\"fanwire\"}").filter(v -> v == 1).isPresent();
                });
                assertThat(query(port, "fanwire_connections_accepted_total{job=\"fanwire\"}")).hasValue(1.0);
                assertThat(query(port, "fanwire_messages_in_total{job=\"fanwire\"}"))
                        .as("subscription and three chat messages").hasValue(4.0);
                assertThat(query(port, "fanwire_publications_total{job=\"fanwire\"}")).hasValue(1.0);
                assertThat(query(port, "fanwire_deliveries_total{job=\"fanwire\"}")).hasValue(1.0);
                assertThat(query(port, "fanwire_connections_active{job=\"fanwire\"}")).hasValue(0.0);
                assertThat(query(port, "sum(fanwire_disconnects_total{job=\"fanwire\"})")).hasValue(1.0);
                assertThat(query(port, "fanwire_handshake_duration_seconds_count{job=\"fanwire\"}")).hasValue(1.0);
                // The lag probes run all along: a later scrape sees more of them.
                Await.until("event-loop lag probes in Prometheus", Duration.ofSeconds(30), () ->
                        query(port, "sum(fanwire_event_loop_lag_seconds_count{job=\"fanwire\"})").orElse(0.0) > 0);
                int loops = server.config().ioThreads() > 0 ? server.config().ioThreads()
                        : Runtime.getRuntime().availableProcessors();
                assertThat(query(port, "count(fanwire_event_loop_lag_seconds_count{job=\"fanwire\"})"))
                        .as("one series per event loop").hasValue((double) loops);
                assertThat(query(port, "jvm_memory_used_bytes{job=\"fanwire\",area=\"heap\"} > 0")).isPresent();
            } finally {
                stop(process);
            }
        }
    }

    private static void promtoolChecks(Exposition scrape, Path dir) throws Exception {
        assertThat(scrape.status()).isEqualTo(200);
        Path text = dir.resolve("metrics.txt");
        Files.writeString(text, scrape.text());
        Path out = dir.resolve("promtool.out");
        Process check = new ProcessBuilder(promtool.toString(), "check", "metrics")
                .redirectInput(text.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        try {
            assertThat(check.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
            assertThat(check.exitValue()).as("promtool check metrics exit code; it said:\n" + Files.readString(out)
                    + "\non:\n" + scrape.text()).isZero();
        } finally {
            stop(check);
        }
    }

    private static Process startPrometheus(Path dir, int target, int port) throws IOException {
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: fanwire
                    scrape_interval: 1s
                    scrape_timeout: 1s
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(target));
        return new ProcessBuilder(prometheus.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
    }

    /** The value of the first series {@code promql} selects now, if any. */
    private static Optional<Double> query(int port, String promql) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(5)).GET().build();
        HttpResponse<String> response;
        try {
            response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        if (response.statusCode() != 200) {
            return Optional.empty();
        }
        try {
            JsonNode result = JSON.readTree(response.body()).path("data").path("result");
            return result.isEmpty() ? Optional.empty()
                    : Optional.of(Double.parseDouble(result.get(0).path("value").get(1).asText()));
        } catch (IOException e) {
            throw new AssertionError("Prometheus answered no JSON: " + response.body(), e);
        }
    }

    /** Stops {@code process} (and only it): politely, then forcibly. */
    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String log(Path dir) {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        List<String> dirs = new java.util.ArrayList<>(List.of((path == null ? "" : path).split(File.pathSeparator)));
        dirs.add("/usr/bin");
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }
}
