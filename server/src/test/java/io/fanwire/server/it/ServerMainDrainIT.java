package io.fanwire.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.server.testing.ApiClient;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.Exposition;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.RawClient;

/**
 * SIGTERM to the standalone server ({@code ServerMain} in a child JVM on the test classpath, in development mode):
 * it drains (readiness 503, upgrades 503, clients closed with 4300 and a jittered {@code retry_after_ms}, paced),
 * its built-in application answers until each client's turn, and the process exits 0 well within its deadline.
 */
class ServerMainDrainIT {

    private static final Pattern WS_LINE = Pattern.compile("^\\s+WebSocket\\s+ws://127\\.0\\.0\\.1:(\\d+)/ws");
    private static final Pattern TOKEN_LINE = Pattern.compile("^\\s+Token\\s+(\\S+)");
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** ServerMain in a child JVM, closing {@code closeRate} connections a second when drained. */
    private static Process start(String closeRate) throws IOException {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(javaBin.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "io.fanwire.server.ServerMain", "--port", "0",
                "--set", "shutdown.close_rate=" + closeRate, "--set", "shutdown.timeout=20s",
                "--set", "shutdown.retry_after=100ms", "--set", "shutdown.retry_jitter=400ms")
                .redirectErrorStream(true)
                .start();
    }

    /** The port and token of the development banner, read from {@code reader} into {@code output}. */
    private static String[] banner(BufferedReader reader, List<String> output) throws IOException {
        String port = null;
        String token = null;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while ((port == null || token == null) && System.nanoTime() < deadline) {
            String line = reader.readLine();
            if (line == null) {
                break;
            }
            output.add(line);
            Matcher m;
            if ((m = WS_LINE.matcher(line)).find()) {
                port = m.group(1);
            } else if ((m = TOKEN_LINE.matcher(line)).find()) {
                token = m.group(1);
            }
        }
        assertThat(port).as("banner in %s", output).isNotNull();
        assertThat(token).isNotNull();
        return new String[] {port, token};
    }

    @Test
    void sigtermDrainsWith4300AndExitsZero() throws Exception {
        int clients = 4;
        Process process = start("2");
        List<String> output = new CopyOnWriteArrayList<>();
        List<JdkWsClient> connected = new ArrayList<>();
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String[] banner = banner(reader, output);
            int port = Integer.parseInt(banner[0]);
            String token = banner[1];
            Thread pump = Thread.ofPlatform().daemon(true).start(() -> reader.lines().forEach(output::add));

            URI uri = URI.create("ws://127.0.0.1:" + port + "/ws");
            for (int i = 0; i < clients; i++) {
                JdkWsClient client = JdkWsClient.connect(uri, Map.of("Authorization", "Bearer " + token));
                connected.add(client);
                client.nextOfType("server_ready");
            }
            assertThat(ApiClient.withHeaders(port).get("/health/ready").status()).isEqualTo(200);

            // SIGTERM, as Process.destroy() sends it; but Process.destroy() also closes our end of the child's output,
            // and the test reads the drain's log from it.
            assertThat(process.toHandle().destroy()).isTrue();
            int httpPort = port;
            Await.until("readiness goes 503 (draining)", TIMEOUT, () -> {
                ApiClient.Answer ready = ApiClient.withHeaders(httpPort).get("/health/ready");
                return ready.status() == 503 && ready.json().path("reason").asText().equals("draining");
            });
            try (RawClient late = new RawClient(port)) {
                RawClient.HttpAnswer answer = late.request(RawClient.upgradeRequest("/ws", "Authorization: Bearer " + token));
                assertThat(answer.status()).isEqualTo(503);
                assertThat(answer.headers()).containsKey("retry-after");
            }
            Exposition scrape = Exposition.scrape(port);
            assertThat(scrape.value("fanwire_shutdown_draining")).hasValue(1);

            // Served until its turn: the echo application answers whoever is still open.
            int echoed = 0;
            for (JdkWsClient client : connected) {
                try {
                    client.sendText("{\"t\":\"echo\",\"p\":{\"n\":1},\"cid\":\"last\"}");
                    client.nextOfType("echo");
                    echoed++;
                } catch (RuntimeException | AssertionError closedMeanwhile) {
                    // Its 4300 came first.
                }
            }
            assertThat(echoed).as("the paced drain leaves the last ones open for a while").isPositive();

            for (JdkWsClient client : connected) {
                assertThat(client.awaitCloseCode(TIMEOUT)).isEqualTo(CloseCodes.DRAINING);
                JsonNode reason = JSON.readTree(client.closeReason());
                assertThat(reason.path("reason").asText()).isEqualTo("draining");
                assertThat(reason.path("retry_after_ms").asLong(-1)).isBetween(100L, 500L);
            }
            assertThat(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("exits; output %s", output).isTrue();
            assertThat(process.exitValue()).as("exit code; output %s", output).isZero();
            assertThat(pump.join(TIMEOUT)).as("the output read to its end").isTrue();
            assertThat(output).anyMatch(line -> line.contains("Drain done: " + clients + " connection(s) closed with 4300"));
        } finally {
            connected.forEach(JdkWsClient::close);
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.write(Path.of("target", "server-main-drain-it.log"), output);
        }
    }

    @Test
    void aSecondSigtermClosesTheRestWith1001AndStillExitsZero() throws Exception {
        int clients = 4;
        // One close a second: the second signal comes long before the last one is due.
        Process process = start("1");
        List<String> output = new CopyOnWriteArrayList<>();
        List<JdkWsClient> connected = new ArrayList<>();
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String[] banner = banner(reader, output);
            Thread pump = Thread.ofPlatform().daemon(true).start(() -> reader.lines().forEach(output::add));
            URI uri = URI.create("ws://127.0.0.1:" + banner[0] + "/ws");
            for (int i = 0; i < clients; i++) {
                JdkWsClient client = JdkWsClient.connect(uri, Map.of("Authorization", "Bearer " + banner[1]));
                connected.add(client);
                client.nextOfType("server_ready");
            }

            assertThat(process.toHandle().destroy()).isTrue();
            Await.until("the first 4300", TIMEOUT,
                    () -> connected.stream().anyMatch(c -> c.closeCodeNow() == CloseCodes.DRAINING));
            assertThat(process.toHandle().destroy()).as("the second SIGTERM").isTrue();

            List<Integer> codes = new ArrayList<>();
            for (JdkWsClient client : connected) {
                codes.add(client.awaitCloseCode(TIMEOUT));
            }
            assertThat(codes).contains(CloseCodes.DRAINING, CloseCodes.GOING_AWAY)
                    .allMatch(code -> code == CloseCodes.DRAINING || code == CloseCodes.GOING_AWAY);
            assertThat(process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("exits; output %s", output).isTrue();
            assertThat(process.exitValue()).as("exit code; output %s", output).isZero();
            assertThat(pump.join(TIMEOUT)).isTrue();
            assertThat(output).anyMatch(line -> line.contains("Stopping (second signal)"));
        } finally {
            connected.forEach(JdkWsClient::close);
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.write(Path.of("target", "server-main-second-signal-it.log"), output);
        }
    }
}
