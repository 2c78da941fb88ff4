package io.fanwire.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.TierResult;
import picocli.CommandLine;

/**
 * The Node {@code ws} peer ({@code peers/node-ws}) against the bench client: it refuses a connection without a
 * token before the upgrade, answers pings, fans out stamped publications, and counts what it received the way
 * the bench client reads it. Skipped when Node.js or the peer's packages are missing, unless
 * {@code FANWIRE_REQUIRE_PEERS=1} (CI, after {@code peers/install.sh}).
 */
@Timeout(value = 120)
class NodeWsPeerIT {

    private static final String SECRET = "peer-test-secret-0123456789-abcdefghij";
    private static final String API_KEY = "peer-test-api-key-0123456789";
    private static Process peer;
    private static int port;

    @BeforeAll
    static void startPeer() throws Exception {
        Path peers = Path.of("..", "peers").toAbsolutePath().normalize();
        boolean installed = Files.isDirectory(peers.resolve("node_modules/ws")) && onPath("node");
        if (!installed && "1".equals(System.getenv("FANWIRE_REQUIRE_PEERS"))) {
            throw new AssertionError("FANWIRE_REQUIRE_PEERS=1 but Node.js or peers/node_modules is missing "
                    + "(run peers/install.sh)");
        }
        assumeTrue(installed, "Node.js or the peers' packages are missing (peers/install.sh): peer test skipped");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        peer = new ProcessBuilder("node", peers.resolve("node-ws/server.js").toString(), "--port",
                Integer.toString(port), "--secret", SECRET, "--api-key", API_KEY)
                .redirectErrorStream(true).start();
        CompletableFuture<Void> listening = new CompletableFuture<>();
        List<String> output = new ArrayList<>();
        Thread.ofPlatform().daemon(true).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    if (line.contains("listening")) {
                        listening.complete(null);
                    }
                }
            } catch (java.io.IOException ignored) {
                // the peer stopped
            }
            listening.completeExceptionally(new AssertionError("the peer exited: " + output));
        });
        listening.get(20, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopPeer() throws Exception {
        if (peer != null) {
            peer.destroy();
            if (!peer.waitFor(5, TimeUnit.SECONDS)) {
                peer.destroyForcibly();
            }
        }
    }

    private static boolean onPath(String command) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }

    private static <T extends Scenario> T scenario(T scenario, String... extra) {
        List<String> args = new ArrayList<>(List.of("--url", "ws://127.0.0.1:" + port + "/ws", "--secret", SECRET,
                "--api-key", API_KEY, "--cooldown", "0s"));
        args.addAll(Arrays.asList(extra));
        new CommandLine(scenario).setOverwrittenOptionsAllowed(true).parseArgs(args.toArray(String[]::new));
        return scenario;
    }

    @Test
    void anUpgradeWithoutATokenIsRefusedWith401() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(status).startsWith("HTTP/1.1 401");
        }
    }

    @Test
    void pingsAreAnsweredAndCountedByThePeer() throws Exception {
        TierResult tier = scenario(new PingLatency(), "--tiers", "30", "--duration", "1s", "--rate", "10")
                .run().tiers().getFirst();

        long sent = tier.counter(Metric.SENT);
        assertThat(sent).isPositive();
        assertThat(tier.counter(Metric.CONNECTED)).isEqualTo(30);
        assertThat(tier.counter(Metric.RECEIVED)).isEqualTo(sent);
        assertThat(tier.counter(Metric.SERVER_RECEIVED)).isEqualTo(sent);
        assertThat(tier.counter(Metric.ERRORS)).isZero();
        assertThat(tier.latencies().get(Metric.RTT).count()).isEqualTo(sent);
    }

    @Test
    void publicationsReachEverySubscriberStampedInOrder() throws Exception {
        for (String publisher : List.of("ws", "http")) {
            TierResult tier = scenario(new Fanout(), "--tiers", "20", "--duration", "1s", "--publish-rate", "10",
                    "--publisher", publisher).run().tiers().getFirst();

            assertThat(tier.counter("subscribed")).as(publisher).isEqualTo(20);
            long expected = tier.counter("expected_deliveries");
            assertThat(expected).as(publisher).isPositive();
            assertThat(tier.counter(Metric.RECEIVED)).as(publisher).isEqualTo(expected);
            assertThat(tier.counter(Metric.SERVER_DELIVERED)).as(publisher).isEqualTo(expected);
            assertThat(tier.counter(Metric.LOST)).as(publisher).isZero();
            assertThat(tier.counter(Metric.GAPS)).as(publisher).isZero();
            assertThat(tier.counter(Metric.ERRORS)).as(publisher).isZero();
        }
    }
}
