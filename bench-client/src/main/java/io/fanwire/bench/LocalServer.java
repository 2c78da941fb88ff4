package io.fanwire.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Fanwire server started as a child process for the demo: on a free loopback port, with a fresh random secret
 * and API key, the built-in {@code echo} application, and the JVM flags this process was started with. Stopped
 * with SIGTERM (a graceful drain), then killed if it has not exited in time. Only this process is ever stopped.
 */
final class LocalServer implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final int port;
    private final String secret;
    private final String apiKey;
    private final Path log;

    private LocalServer(Process process, int port, String secret, String apiKey, Path log) {
        this.process = process;
        this.port = port;
        this.secret = secret;
        this.apiKey = apiKey;
        this.log = log;
    }

    /**
     * Starts the server jar and waits until {@code /health/ready} answers 200.
     *
     * @param serverJar the server's executable jar
     * @param log       where the server's output goes
     * @throws IOException when it cannot start or does not become ready in time (the process is stopped then)
     */
    static LocalServer start(Path serverJar, Path log) throws IOException, InterruptedException {
        return start(serverJar, log, List.of(), List.of());
    }

    /**
     * Starts the server jar like {@link #start(Path, Path)}, with {@code settings} ({@code key=value}, passed as
     * {@code --set}) after the defaults, and {@code jvmOptions} after the inherited JVM flags.
     */
    static LocalServer start(Path serverJar, Path log, List<String> settings, List<String> jvmOptions)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(serverJar)) {
            throw new IOException("server jar not found: " + serverJar + " (build it with ./fanwire build)");
        }
        int port = freePort();
        String secret = randomToken(32);
        String apiKey = randomToken(24);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(inheritedJvmFlags());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(serverJar.toString());
        for (String setting : settings) {
            command.add("--set");
            command.add(setting);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        Map<String, String> env = builder.environment();
        env.put("FANWIRE_HOST", "127.0.0.1");
        env.put("FANWIRE_PORT", Integer.toString(port));
        env.put("FANWIRE_AUTH_JWT_SECRET", secret);
        env.put("FANWIRE_API_KEY", apiKey);
        env.put("FANWIRE_APP_MODE", "echo");
        // The demo measures the server, not its per-connection abuse limits (which would refuse a throughput run).
        env.put("FANWIRE_RATE_LIMIT_CAPACITY", "0");
        env.put("FANWIRE_RATE_LIMIT_CONTROL_CAPACITY", "0");
        LocalServer server = new LocalServer(builder.start(), port, secret, apiKey, log);
        try {
            server.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    String secret() {
        return secret;
    }

    String apiKey() {
        return apiKey;
    }

    String wsUrl() {
        return "ws://127.0.0.1:" + port + "/ws";
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new IOException("the server exited with " + process.exitValue() + " before it was ready; see "
                        + log);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException ignored) {
                // Not listening yet: poll again.
            }
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
        throw new IOException("the server was not ready within " + READY_TIMEOUT.toSeconds() + " s; see " + log);
    }

    /** Stops the server with SIGTERM and waits for it; the exit code, or -1 when it had to be killed. */
    int stop() throws InterruptedException {
        process.destroy();
        if (process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return -1;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                stop();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The flags of this JVM that matter to a Netty server (native access, compact headers, Unsafe access). */
    static List<String> inheritedJvmFlags() {
        List<String> flags = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:") || arg.startsWith("--enable-native-access")
                    || arg.startsWith("--sun-misc-unsafe-memory-access") || arg.startsWith("-Dio.netty.")) {
                flags.add(arg);
            }
        }
        return flags;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    /** {@code bytes} random bytes, base64url without padding: a secret or an API key for a server we start. */
    static String randomToken(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
