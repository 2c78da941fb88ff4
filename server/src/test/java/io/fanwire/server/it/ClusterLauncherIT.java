package io.fanwire.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.TestServers;

/**
 * {@code ./fanwire cluster --nodes 2} itself, as a developer runs it: two nodes on one port with a
 * {@code redis-server} of their own, each node's API on its own port; clients spread over the nodes receive a
 * publication made through either node's API with the same stamp; SIGTERM to the launcher stops the nodes and
 * the Redis it started. Skipped without {@code redis-server}, unless {@code FANWIRE_REQUIRE_REDIS} is set.
 */
@Timeout(value = 180)
class ClusterLauncherIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void twoNodesOnOnePortShareEveryPublicationAndStopWithTheLauncher() throws Exception {
        boolean redis = Files.isExecutable(Path.of("/usr/bin/redis-server"));
        if (!redis && System.getenv("FANWIRE_REQUIRE_REDIS") != null) {
            throw new AssertionError("FANWIRE_REQUIRE_REDIS is set but /usr/bin/redis-server is missing");
        }
        assumeTrue(redis, "redis-server is not installed: cluster launcher test skipped");
        Path launcher = Path.of("..", "fanwire").toAbsolutePath().normalize();
        int port = freePort();
        int apiBase = freeRun(2);
        Path log = Path.of("target", "cluster-launcher-it.log");
        ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "cluster", "--nodes", "2", "--port",
                Integer.toString(port), "--api-port", Integer.toString(apiBase))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("FANWIRE_AUTH_JWT_SECRET", TestServers.SECRET);
        builder.environment().put("FANWIRE_API_KEY", TestServers.API_KEY);
        builder.environment().put("FANWIRE_JAVA_OPTS", "-Xmx256m");
        // The jar this build just packaged; never a nested build from inside this one.
        builder.environment().put("FANWIRE_NO_BUILD", "1");
        Process cluster = builder.start();
        try {
            for (int n = 1; n <= 2; n++) {
                awaitInfo(apiBase + n, cluster, log);
            }
            List<JdkWsClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    JdkWsClient client = JdkWsClient.connect(port, TestServers.token("user-" + i));
                    clients.add(client);
                    client.nextOfType("server_ready");
                    client.sendText("{\"t\":\"subscription\",\"p\":{\"action\":\"subscribe\",\"topics\":[\"news\"]}}");
                    client.nextOfType("subscription_update");
                }
                List<String> nodes = new ArrayList<>();
                for (int n = 1; n <= 2; n++) {
                    HttpResponse<String> published = HTTP.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + (apiBase + n) + "/api/publish"))
                            .header("X-API-Key", TestServers.API_KEY).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"topic\":\"news\",\"data\":{\"from\":" + n + "}}"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
                    assertThat(JSON.readTree(published.body()).path("offset").asLong()).as("one stamp for the cluster")
                            .isEqualTo(n);
                    nodes.add(info(apiBase + n).path("node_id").asText());
                }
                assertThat(nodes).as("each API port is a different node").doesNotHaveDuplicates();
                // Every client sits on one of the two nodes, so at least one of the two publications crossed nodes
                // through Redis to reach it, whichever way SO_REUSEPORT spread the connections.
                for (JdkWsClient client : clients) {
                    for (int n = 1; n <= 2; n++) {
                        JsonNode publication = client.nextOfType("publication");
                        assertThat(publication.path("tp").asText()).isEqualTo("news");
                        assertThat(publication.path("o").asLong()).isEqualTo(n);
                        assertThat(publication.path("p").path("from").asInt()).isEqualTo(n);
                    }
                }
            } finally {
                clients.forEach(JdkWsClient::close);
            }

            cluster.destroy(); // SIGTERM to the launcher, which stops what it started
            assertThat(cluster.waitFor(60, TimeUnit.SECONDS)).as("the launcher exits; log %s", log).isTrue();
            for (int p : new int[] {port, apiBase + 1, apiBase + 2}) {
                assertThat(listening(p)).as("port %d closed after the launcher stopped", p).isFalse();
            }
            assertThat(Files.readString(log)).contains("Cluster     2 nodes on ws://127.0.0.1:" + port + "/ws")
                    .contains("(started here, PID");
        } finally {
            if (cluster.isAlive()) {
                cluster.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static JsonNode info(int apiPort) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + apiPort + "/api/info")).header("X-API-Key", TestServers.API_KEY)
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** Waits until node's API answers; fails at once if the launcher has exited. */
    private static void awaitInfo(int apiPort, Process cluster, Path log) {
        Await.until("node API on " + apiPort + " answers; log " + log, Duration.ofSeconds(120), () -> {
            assertThat(cluster.isAlive()).as("the launcher is running; log %s", log).isTrue();
            try {
                info(apiPort);
                return true;
            } catch (IOException | AssertionError notYet) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        });
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return socket.isConnected();
        } catch (IOException refused) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A base port whose next {@code count} ports are free now. */
    private static int freeRun(int count) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = freePort();
            if (base + count > 65535) {
                continue;
            }
            boolean free = true;
            for (int i = 1; i <= count && free; i++) {
                try (ServerSocket s = new ServerSocket(base + i, 1, InetAddress.getLoopbackAddress())) {
                    free = s.getLocalPort() == base + i;
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no run of " + count + " free ports found");
    }
}
