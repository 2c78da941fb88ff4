package io.fanwire.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
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
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.Exposition;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.RawClient;

/**
 * The accept loop survives running out of file descriptors: the standalone server runs in a child JVM started by
 * {@code bash -c 'ulimit -n 256; exec java ...'}, the test holds more idle connections than it has descriptors left,
 * and accepts fail with EMFILE. The server keeps serving the connections it has, counts and logs the failures, and
 * accepts again (the waiting connections, then new ones) once descriptors are free.
 */
@EnabledOnOs(OS.LINUX)
class AcceptorEmfileIT {

    private static final Pattern WS_LINE = Pattern.compile("^\\s+WebSocket\\s+ws://127\\.0\\.0\\.1:(\\d+)/ws");
    private static final Pattern TOKEN_LINE = Pattern.compile("^\\s+Token\\s+(\\S+)");
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /**
     * About 100 descriptors are in use once the server is up, mostly jars, and the class loader opens more of them
     * as classes are first used: this leaves some 150 for connections.
     */
    private static final int FILE_LIMIT = 256;
    /** Idle connections held: more than the descriptors left. */
    private static final int HELD = 300;
    /** Closed once accepts fail, so that the waiting ones and plenty more fit. */
    private static final int RELEASED = 250;

    @Test
    void acceptFailuresAreCountedAndServingGoesOn() throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        String command = "ulimit -n " + FILE_LIMIT + " && exec \"$0\" \"$@\"";
        Process process = new ProcessBuilder("bash", "-c", command, javaBin.toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.fanwire.server.ServerMain", "--port", "0", "--set", "io_threads=1",
                // The held connections stay idle for the whole test.
                "--set", "limits.request_timeout=60s")
                .redirectErrorStream(true)
                .start();
        List<String> output = new CopyOnWriteArrayList<>();
        List<RawClient> held = new ArrayList<>();
        try {
            int port = -1;
            String token = null;
            BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while ((port < 0 || token == null) && System.nanoTime() < deadline) {
                String line = reader.readLine();
                if (line == null) {
                    break;
                }
                output.add(line);
                Matcher m;
                if ((m = WS_LINE.matcher(line)).find()) {
                    port = Integer.parseInt(m.group(1));
                } else if ((m = TOKEN_LINE.matcher(line)).find()) {
                    token = m.group(1);
                }
            }
            assertThat(port).as("banner in %s", output).isPositive();
            Thread.ofPlatform().daemon(true).start(() -> reader.lines().forEach(output::add));
            Map<String, String> auth = Map.of("Authorization", "Bearer " + token);

            try (JdkWsClient control = JdkWsClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws"), auth)) {
                control.nextOfType("server_ready");
                for (int i = 0; i < HELD; i++) {
                    // The kernel completes the TCP handshake whether or not the server accepts.
                    held.add(new RawClient(port));
                }
                Await.until("an accept fails with EMFILE (logged)", TIMEOUT, () -> output.stream()
                        .anyMatch(line -> line.contains("Accepting a connection") && line.contains("Too many open files")));

                // Out of descriptors, the server still serves the connections it has.
                control.sendText("{\"t\":\"echo\",\"p\":{\"n\":1},\"cid\":\"during\"}");
                assertThat(control.nextOfType("echo").path("cid").asText()).isEqualTo("during");

                for (int i = 0; i < RELEASED; i++) {
                    held.get(i).close();
                }
                int httpPort = port;
                Exposition[] scrape = new Exposition[1];
                Await.until("accepting again, with the failures counted", TIMEOUT, () -> {
                    try {
                        scrape[0] = Exposition.scrape(httpPort);
                        return scrape[0].status() == 200;
                    } catch (RuntimeException notYet) {
                        return false;
                    }
                });
                assertThat(scrape[0].value("fanwire_accept_errors_total{reason=\"too_many_open_files\"}").orElse(0))
                        .isPositive();
                try (RawClient newcomer = new RawClient(port)) {
                    assertThat(newcomer.request(RawClient.upgradeRequest("/ws", "Authorization: Bearer " + token))
                            .status()).isEqualTo(101);
                }
                control.sendText("{\"t\":\"echo\",\"p\":{\"n\":2},\"cid\":\"after\"}");
                assertThat(control.nextOfType("echo").path("cid").asText()).isEqualTo("after");
            }
            long warnings = output.stream().filter(line -> line.contains("Accepting a connection")).count();
            assertThat(warnings).as("WARN at most once per 10 s").isLessThanOrEqualTo(2);
            assertThat(process.isAlive()).isTrue();
        } finally {
            held.forEach(RawClient::close);
            process.toHandle().destroy();
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.write(Path.of("target", "acceptor-emfile-it.log"), output);
        }
    }
}
