package io.fanwire.bench.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import javax.crypto.SecretKey;

import io.fanwire.common.jwt.JwtAlgorithm;
import io.fanwire.common.jwt.JwtKeys;
import io.fanwire.common.jwt.JwtVerifierConfig;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.ServerConfig;
import io.fanwire.server.ServerConfig.AuthConfig;
import io.fanwire.server.drain.InboundEvent;
import picocli.CommandLine;

/**
 * A Fanwire server on 127.0.0.1 with a known secret and API key, and a consumer of its events that acts as
 * the standalone server's built-in {@code echo} app (messages of type {@code echo} go back to their sender).
 */
final class TestServer implements AutoCloseable {

    static final String SECRET = "bench-test-secret-0123456789-abcdefghij";
    static final String API_KEY = "bench-test-api-key-0123456789";

    final FanwireServer server;
    final LongAdder appMessages = new LongAdder();
    /** The client addresses connections came from. */
    final java.util.Set<String> remoteHosts = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Thread app;
    private volatile boolean running = true;

    private TestServer(FanwireServer server) {
        this.server = server;
        this.app = Thread.ofPlatform().name("test-app").daemon(true).start(this::consume);
    }

    static TestServer start() {
        return start(c -> { });
    }

    static TestServer start(Consumer<ServerConfig.Builder> customizer) {
        SecretKey key = JwtKeys.hmacKey(JwtAlgorithm.HS256, SECRET);
        ServerConfig.Builder config = ServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .apiKey(API_KEY)
                .shutdownQuietPeriod(Duration.ZERO)
                // The bench measures the server, not its abuse policy.
                .rateLimit(ServerConfig.RateLimitConfig.UNLIMITED)
                .auth(AuthConfig.jwt(JwtVerifierConfig.builder(JwtAlgorithm.HS256, key).build()));
        customizer.accept(config);
        return new TestServer(FanwireServer.builder().config(config.build()).build().start());
    }

    String url() {
        return "ws://127.0.0.1:" + server.port() + "/ws";
    }

    /** The common options for this server, then {@code extra}. */
    String[] args(String... extra) {
        List<String> args = new ArrayList<>(List.of("--url", url(), "--secret", SECRET, "--api-key", API_KEY,
                "--cooldown", "0s", "--server-pid", Long.toString(ProcessHandle.current().pid())));
        args.addAll(Arrays.asList(extra));
        return args.toArray(String[]::new);
    }

    /** {@code scenario} with its options parsed from {@link #args}. */
    <T extends Scenario> T scenario(T scenario, String... extra) {
        new CommandLine(scenario).setOverwrittenOptionsAllowed(true).parseArgs(args(extra));
        return scenario;
    }

    private void consume() {
        List<InboundEvent> batch = new ArrayList<>();
        while (running) {
            batch.clear();
            try {
                server.drainTo(batch, 1024, Duration.ofMillis(50));
            } catch (InterruptedException e) {
                return;
            }
            for (InboundEvent event : batch) {
                if (event instanceof InboundEvent.Connected c) {
                    remoteHosts.add(c.connection().remoteAddress().getAddress().getHostAddress());
                }
                if (event instanceof InboundEvent.Message m) {
                    appMessages.increment();
                    if (m.envelope().type().equals("echo")) {
                        Envelope in = m.envelope();
                        server.send(m.connection().id(), Envelope.of("echo", in.payload())
                                .withCorrelationId(in.correlationId()));
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        server.close();
        running = false;
        try {
            app.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
