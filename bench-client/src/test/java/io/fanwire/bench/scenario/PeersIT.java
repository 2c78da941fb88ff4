package io.fanwire.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.TierResult;
import picocli.CommandLine;

/**
 * Each peer server of {@code peers/} (Node ws, uWebSockets.js, Bun, Go gorilla), started through
 * {@code ./fanwire peer}, against the bench client: it refuses an upgrade without a token, answers pings, counts
 * ingest the way the bench client reads it, and fans out stamped publications from a WebSocket and an HTTP
 * publisher without loss or gaps. A peer whose runtime is missing is skipped, unless
 * {@code FANWIRE_REQUIRE_PEERS=1} (CI, after {@code peers/install.sh --require-go}).
 */
@Timeout(value = 120)
class PeersIT {

    private static final String SECRET = "peer-test-secret-0123456789-abcdefghij";
    private static final String API_KEY = "peer-test-api-key-0123456789";
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern LISTENING = Pattern.compile("listening on ws://[^:]+:(\\d+)/ws");

    /** What a peer needs installed, relative to peers/. */
    private static Path installed(String peer) {
        return ROOT.resolve("peers").resolve(switch (peer) {
            case "node-ws" -> "node_modules/ws";
            case "uws" -> "node_modules/@trufflesuite/uws-js-unofficial";
            case "bun" -> "node_modules/@oven/bun-linux-x64/bin/bun";
            case "go-gorilla" -> "go-gorilla/bin/go-gorilla";
            default -> throw new IllegalArgumentException(peer);
        });
    }

    private record Running(Process process, int port) implements AutoCloseable {
        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Running start(String peer) throws Exception {
        boolean present = Files.exists(installed(peer))
                && (!List.of("node-ws", "uws").contains(peer) || onPath("node"));
        if (!present && "1".equals(System.getenv("FANWIRE_REQUIRE_PEERS"))) {
            throw new AssertionError("FANWIRE_REQUIRE_PEERS=1 but the " + peer + " peer is not installed "
                    + "(peers/install.sh --require-go)");
        }
        assumeTrue(present, "the " + peer + " peer is not installed (peers/install.sh): skipped");
        Process process = new ProcessBuilder(ROOT.resolve("fanwire").toString(), "peer", peer, "--port", "0",
                "--secret", SECRET, "--api-key", API_KEY).redirectErrorStream(true).start();
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        List<String> output = new ArrayList<>();
        Thread.ofPlatform().daemon(true).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        listening.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (java.io.IOException ignored) {
                // the peer stopped
            }
            listening.completeExceptionally(new AssertionError("the " + peer + " peer exited: " + output));
        });
        try {
            return new Running(process, listening.get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    private static boolean onPath(String command) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }

    private static <T extends Scenario> T scenario(int port, T scenario, String... extra) {
        List<String> args = new ArrayList<>(List.of("--url", "ws://127.0.0.1:" + port + "/ws", "--secret", SECRET,
                "--api-key", API_KEY, "--cooldown", "0s"));
        args.addAll(Arrays.asList(extra));
        new CommandLine(scenario).setOverwrittenOptionsAllowed(true).parseArgs(args.toArray(String[]::new));
        return scenario;
    }

    private static String statusOfAnUpgradeWithoutToken(int port) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"node-ws", "uws", "bun", "go-gorilla"})
    void thePeerSpeaksTheBenchmarkSubset(String peer) throws Exception {
        try (Running running = start(peer)) {
            int port = running.port();
            assertThat(statusOfAnUpgradeWithoutToken(port)).as(peer).startsWith("HTTP/1.1 401");

            TierResult ping = scenario(port, new PingLatency(), "--tiers", "30", "--duration", "1s", "--rate", "10")
                    .run().tiers().getFirst();
            long sent = ping.counter(Metric.SENT);
            assertThat(sent).as(peer).isPositive();
            assertThat(ping.counter(Metric.CONNECTED)).as(peer).isEqualTo(30);
            assertThat(ping.counter(Metric.RECEIVED)).as(peer).isEqualTo(sent);
            assertThat(ping.counter(Metric.SERVER_RECEIVED)).as(peer).isEqualTo(sent);
            assertThat(ping.counter(Metric.ERRORS)).as(peer).isZero();
            assertThat(ping.latencies().get(Metric.RTT).count()).as(peer).isEqualTo(sent);

            TierResult ingest = scenario(port, new Throughput(), "--tiers", "20", "--duration", "1s", "--rate", "50")
                    .run().tiers().getFirst();
            assertThat(ingest.counter(Metric.SENT)).as(peer).isPositive();
            assertThat(ingest.counter(Metric.SERVER_RECEIVED)).as(peer).isEqualTo(ingest.counter(Metric.SENT));

            for (String publisher : List.of("ws", "http")) {
                TierResult tier = scenario(port, new Fanout(), "--tiers", "20", "--duration", "1s",
                        "--publish-rate", "10", "--publisher", publisher).run().tiers().getFirst();
                String what = peer + " with a " + publisher + " publisher";
                assertThat(tier.counter("subscribed")).as(what).isEqualTo(20);
                long expected = tier.counter("expected_deliveries");
                assertThat(expected).as(what).isPositive();
                assertThat(tier.counter(Metric.RECEIVED)).as(what).isEqualTo(expected);
                assertThat(tier.counter(Metric.SERVER_DELIVERED)).as(what).isEqualTo(expected);
                assertThat(tier.counter(Metric.LOST)).as(what).isZero();
                assertThat(tier.counter(Metric.GAPS)).as(what).isZero();
                assertThat(tier.counter(Metric.ERRORS)).as(what).isZero();
            }
        }
    }
}
