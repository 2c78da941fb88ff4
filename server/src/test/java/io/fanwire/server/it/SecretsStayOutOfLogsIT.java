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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.fanwire.common.jwt.JwtAlgorithm;
import io.fanwire.common.jwt.JwtKeys;
import io.fanwire.common.jwt.JwtMinter;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.RawClient;

/**
 * Tokens, the JWT secret and API keys never reach the log, the metrics or an error answer: the packaged server
 * runs at DEBUG, is sent expired, forged and wrongly signed tokens in every carrier, and wrong and right API keys;
 * then everything it wrote and answered is searched for them.
 */
class SecretsStayOutOfLogsIT {

    private static final Pattern LISTENING = Pattern.compile("msg=\"Fanwire listening\".* address=\"[^\"]*:(\\d+)\"");
    private static final String SECRET = "logs-test-secret-0123456789-abcdefghijkl";
    private static final String API_KEY = "logs-test-api-key-0123456789";
    private static final String WRONG_API_KEY = "wrong-api-key-9876543210-zyxw";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void noSecretAppearsInLogsMetricsOrAnswers() throws Exception {
        JwtMinter right = new JwtMinter(JwtAlgorithm.HS256, JwtKeys.hmacKey(JwtAlgorithm.HS256, SECRET),
                Clock.offset(Clock.systemUTC(), Duration.ofHours(-3)));
        JwtMinter wrongKey = new JwtMinter(JwtAlgorithm.HS256,
                JwtKeys.hmacKey(JwtAlgorithm.HS256, "another-secret-0123456789-abcdefghijkl"), Clock.systemUTC());
        String expired = right.mint("alice", Duration.ofHours(1));
        String valid = new JwtMinter(JwtAlgorithm.HS256, JwtKeys.hmacKey(JwtAlgorithm.HS256, SECRET), Clock.systemUTC())
                .mint("bob", Duration.ofHours(1));
        String forged = valid.substring(0, valid.length() - 6) + "AAAAAA";
        String otherKey = wrongKey.mint("carol", Duration.ofHours(1));
        List<String> secrets = List.of(SECRET, API_KEY, WRONG_API_KEY, expired, forged, otherKey, valid,
                // A token's signature alone is enough to be a leak.
                signature(expired), signature(forged), signature(otherKey), signature(valid));

        Path jar = Path.of("target", "fanwire-server.jar");
        assertThat(jar).as("packaged by the package phase").exists();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "--port", "0", "--host", "127.0.0.1",
                "--set", "auth.query_token=true")
                .redirectErrorStream(true);
        builder.environment().put("FANWIRE_LOG_LEVEL", "DEBUG");
        builder.environment().put("FANWIRE_AUTH_JWT_SECRET", SECRET);
        builder.environment().put("FANWIRE_API_KEY", API_KEY);
        Process process = builder.start();
        List<String> output = new CopyOnWriteArrayList<>();
        List<String> answers = new ArrayList<>();
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            int port = -1;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (port < 0 && System.nanoTime() < deadline) {
                String line = reader.readLine();
                if (line == null) {
                    break;
                }
                output.add(line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertThat(port).as("start-up line in %s", output).isPositive();
            Thread.ofPlatform().daemon(true).start(() -> reader.lines().forEach(output::add));

            HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
            String base = "http://127.0.0.1:" + port;
            String ws = "ws://127.0.0.1:" + port + "/ws";
            for (String token : List.of(expired, forged, otherKey)) {
                for (String request : List.of(
                        RawClient.upgradeRequest("/ws", "Authorization: Bearer " + token),
                        RawClient.upgradeRequest("/ws", "Cookie: access_token=" + token),
                        RawClient.upgradeRequest("/ws", "Sec-WebSocket-Protocol: fanwire.v1, bearer." + token),
                        RawClient.upgradeRequest("/ws?token=" + token))) {
                    try (RawClient client = new RawClient(port)) {
                        RawClient.HttpAnswer answer = client.request(request);
                        assertThat(answer.status()).as("refused: %s", answer.body()).isEqualTo(401);
                        answers.add(answer.headers() + " " + answer.body());
                    }
                }
                // The JDK's own WebSocket client, too: the token in its subprotocol list.
                try {
                    http.newWebSocketBuilder().subprotocols("fanwire.v1", "bearer." + token)
                            .buildAsync(URI.create(ws), new java.net.http.WebSocket.Listener() { })
                            .get(10, TimeUnit.SECONDS);
                    throw new AssertionError("upgraded with a bad token");
                } catch (java.util.concurrent.ExecutionException refused) {
                    answers.add(String.valueOf(refused.getCause()));
                }
            }
            for (String key : List.of(WRONG_API_KEY, API_KEY)) {
                for (HttpRequest request : List.of(
                        HttpRequest.newBuilder(URI.create(base + "/api/info")).header("X-API-Key", key).build(),
                        HttpRequest.newBuilder(URI.create(base + "/api/publish")).header("Authorization", "apikey " + key)
                                .POST(HttpRequest.BodyPublishers.ofString("{\"topic\":\"t\",\"data\":{}}")).build())) {
                    HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
                    assertThat(answer.statusCode()).isEqualTo(key.equals(API_KEY) ? 200 : 401);
                    answers.add(answer.headers().map() + " " + answer.body());
                }
            }
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            answers.add(metrics.body());
            assertThat(metrics.body()).contains("fanwire_auth_failures_total");

            // At DEBUG the refusals are logged; wait for them so the search below is not vacuous.
            Await.until("the refusals logged", TIMEOUT,
                    () -> output.stream().filter(l -> l.contains("Refused upgrade")).count() >= 15);
            process.destroy();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();

            String everything = String.join("\n", output) + "\n" + String.join("\n", answers);
            for (String secret : secrets) {
                assertThat(everything).as("a secret in the logs or answers").doesNotContain(secret);
            }
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            List<String> record = new ArrayList<>(output);
            record.add("---- answers ----");
            record.addAll(answers);
            Files.write(Path.of("target", "secrets-logs-it.log"), record);
        }
    }

    private static String signature(String token) {
        return token.substring(token.lastIndexOf('.') + 1);
    }
}
