package io.fanwire.server.it;

import static io.fanwire.server.testing.PubSubMessages.numbered;
import static io.fanwire.server.testing.PubSubMessages.range;
import static io.fanwire.server.testing.PubSubMessages.subscribe;
import static io.fanwire.server.testing.PubSubMessages.subscribeRecovering;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;

import io.fanwire.server.FanwireServer;
import io.fanwire.server.ServerConfig.ClusterConfig;
import io.fanwire.server.broker.RedisBroker;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.RedisProcess;
import io.fanwire.server.testing.TestServers;
import io.fanwire.server.testing.WsFleet;

/**
 * A node killed with {@code SIGKILL}: a real {@code redis-server}, one node in this JVM and one in a child JVM
 * (ServerMain) that the test kills. The dead node's presence drops out of the cluster (a leave reaches the
 * other node's subscribers), and its client reconnects to the other node and recovers what it missed.
 */
@Timeout(value = 120)
class RedisNodeKilledIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String TOPIC = "room.1";
    private static final Pattern LISTENING = Pattern.compile(
            "Fanwire listening.*address=\"?/127\\.0\\.0\\.1:(\\d+)");

    private RedisProcess redis;
    private String prefix;
    private FanwireServer survivor;
    private Process doomed;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        redis = RedisProcess.start();
        prefix = "fwkill" + Integer.toHexString(ThreadLocalRandom.current().nextInt()) + ":";
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        if (survivor != null) {
            survivor.close();
        }
        if (doomed != null && doomed.isAlive()) {
            doomed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        redis.close();
    }

    /** ServerMain in a child JVM joined to the test's Redis; returns its WebSocket port once it listens. */
    private int startDoomedNode() throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        doomed = new ProcessBuilder(javaBin.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "io.fanwire.server.ServerMain",
                "--host", "127.0.0.1", "--port", "0", "--set", "auth.jwt.secret=" + TestServers.SECRET,
                "--set", "broker=redis", "--set", "redis.uri=" + redis.uri(), "--set", "redis.key_prefix=" + prefix,
                "--set", "node.id=doomed")
                .redirectErrorStream(true)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(doomed.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofPlatform().daemon(true).name("doomed-output").start(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process was killed
            }
            port.completeExceptionally(new AssertionError("the child node exited before it listened"));
        });
        return port.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aKilledNodesPresenceExpiresAndItsClientRecoversOnAnotherNode() throws Exception {
        RedisBroker.Config broker = new RedisBroker.Config(redis.uri(), prefix, 1000, Duration.ofSeconds(2),
                Duration.ofHours(1));
        survivor = TestServers.start(c -> c.nodeId("survivor").cluster(new ClusterConfig(false, broker)));
        int doomedPort = startDoomedNode();

        WsFleet fleet = new WsFleet(survivor.port());
        clients.add(fleet);
        WsFleet.Client watcher = fleet.connect(TestServers.token("watcher"));
        watcher.nextOfType("server_ready");
        watcher.sendText(subscribe(TOPIC));
        watcher.nextOfType("subscription_update");

        JdkWsClient kim = JdkWsClient.connect(doomedPort, TestServers.token("kim"));
        clients.add(kim);
        kim.nextOfType("server_ready");
        kim.sendText("{\"t\":\"subscription\",\"p\":{\"topics\":[\"" + TOPIC + "\"],\"presence\":{\"seat\":7}}}");
        kim.nextOfType("subscription_update");
        assertThat(watcher.nextOfType("presence_join").path("p").path("user_id").asText()).isEqualTo("kim");
        assertThat(survivor.clusterPresence(TOPIC).toCompletableFuture().join()).containsOnlyKeys("kim");

        for (int n = 1; n <= 10; n++) {
            survivor.publish(TOPIC, numbered("msg", n)).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        }
        JsonNode last = null;
        for (int n = 1; n <= 10; n++) {
            last = kim.nextOfType("msg");
            assertThat(last.path("p").path("n").asInt()).isEqualTo(n);
        }
        String epoch = last.path("e").asText();
        long offset = last.path("o").asLong();

        // SIGKILL: no goodbye to Redis, no leave from the node itself.
        long pid = doomed.pid();
        doomed.destroyForcibly();
        assertThat(doomed.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(doomed.exitValue()).as("pid %d killed by SIGKILL", pid).isEqualTo(137);

        // Publications go on while kim is away.
        for (int n = 11; n <= 20; n++) {
            survivor.publish(TOPIC, numbered("msg", n)).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        }

        // Readers skip the dead node at once its liveness key expires; the sweep then tells every node.
        Await.until("kim gone from the cluster's presence", TIMEOUT,
                () -> survivor.clusterPresence(TOPIC).toCompletableFuture().join().isEmpty());
        Await.until("the watcher heard kim leave", TIMEOUT, () -> watcher.takeAll().stream()
                .anyMatch(m -> m.json().path("t").asText().equals("presence_leave")
                        && m.json().path("p").path("user_id").asText().equals("kim")));

        // Kim reconnects to the surviving node and recovers from where it stopped.
        JdkWsClient again = JdkWsClient.connect(survivor.port(), TestServers.token("kim"));
        clients.add(again);
        again.nextOfType("server_ready");
        again.sendText(subscribeRecovering(TOPIC, epoch, offset));
        List<Long> offsets = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            JsonNode p = again.nextOfType("msg");
            assertThat(p.path("e").asText()).isEqualTo(epoch);
            offsets.add(p.path("o").asLong());
        }
        assertThat(offsets).isEqualTo(range(offset + 1, offset + 10));
        JsonNode result = again.nextOfType("subscription_update").path("p").path("recovery").path(TOPIC);
        assertThat(result.path("recovered").asBoolean()).isTrue();
        assertThat(result.path("count").asInt()).isEqualTo(10);
    }
}
