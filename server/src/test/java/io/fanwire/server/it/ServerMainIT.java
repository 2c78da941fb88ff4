package io.fanwire.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.server.testing.JdkWsClient;

/**
 * The packaged standalone server as a user starts it: {@code java -jar target/fanwire-server.jar} with no
 * configuration. It must come up in development mode, print a token that works, echo, count, and stop
 * cleanly on SIGTERM.
 */
class ServerMainIT {

    private static final Pattern WS_LINE = Pattern.compile("^\\s+WebSocket\\s+(ws://\\S+)");
    private static final Pattern TOKEN_LINE = Pattern.compile("^\\s+Token\\s+(\\S+)");
    private static final Pattern KEY_LINE = Pattern.compile("^\\s+API key\\s+(\\S+)");

    /** Drain mode (the default) and callback mode on the event loop ({@code app.dispatch=loop}). */
    @ParameterizedTest
    @ValueSource(strings = {"drain", "loop"})
    void startsOnDefaultsPrintsAWorkingTokenAndStopsOnSigterm(String dispatch) throws Exception {
        Path jar = Path.of("target", "fanwire-server.jar");
        assertThat(jar).as("packaged by the package phase").exists();
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(javaBin.toString(), "--enable-native-access=ALL-UNNAMED", "-jar",
                jar.toString(), "--port", "0", "--set", "app.dispatch=" + dispatch)
                .redirectErrorStream(true)
                .start();
        List<String> output = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            String url = null;
            String token = null;
            String apiKey = null;
            BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while ((url == null || token == null || apiKey == null) && System.nanoTime() < deadline) {
                String line = reader.readLine();
                if (line == null) {
                    break;
                }
                output.add(line);
                Matcher m;
                if ((m = WS_LINE.matcher(line)).find()) {
                    url = m.group(1);
                } else if ((m = TOKEN_LINE.matcher(line)).find()) {
                    token = m.group(1);
                } else if ((m = KEY_LINE.matcher(line)).find()) {
                    apiKey = m.group(1);
                }
            }
            assertThat(url).as("banner in %s", output).isNotNull();
            assertThat(token).isNotNull();
            assertThat(apiKey).isNotNull();
            // Keep reading so the child never blocks on a full pipe.
            Thread.ofPlatform().daemon(true).start(() -> reader.lines().forEach(output::add));

            try (JdkWsClient client = JdkWsClient.connect(URI.create(url),
                    java.util.Map.of("Authorization", "Bearer " + token))) {
                JsonNode ready = client.nextOfType("server_ready");
                assertThat(ready.path("p").path("details").path("user_id").asText()).isEqualTo("dev-user");
                client.sendText("{\"t\":\"echo\",\"p\":{\"hello\":\"fanwire\"},\"cid\":\"e1\"}");
                JsonNode echo = client.nextOfType("echo");
                assertThat(echo.path("p").path("hello").asText()).isEqualTo("fanwire");
                assertThat(echo.path("cid").asText()).isEqualTo("e1");
            }

            String httpBase = url.replace("ws://", "http://").replaceAll("/ws$", "");
            HttpResponse<String> info = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(httpBase + "/api/info")).header("X-API-Key", apiKey)
                            .timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(info.statusCode()).isEqualTo(200);
            JsonNode app = new ObjectMapper().readTree(info.body()).path("app");
            assertThat(app.path("mode").asText()).isEqualTo("echo");
            assertThat(app.path("dispatch").asText()).isEqualTo(dispatch);
            assertThat(new ObjectMapper().readTree(info.body()).path("mode").asText())
                    .isEqualTo(dispatch.equals("loop") ? "callback" : "drain");
            assertThat(app.path("messages").asLong()).isEqualTo(1);
            assertThat(app.path("echoed").asLong()).isEqualTo(1);

            process.destroy(); // SIGTERM
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("exits after SIGTERM; output %s", output).isTrue();
            assertThat(process.exitValue()).as("a drained server exits 0").isZero();
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.write(Path.of("target", "server-main-it-" + dispatch + ".log"), output);
        }
    }
}
