package io.fanwire.server;

import java.io.File;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.fanwire.server.ServerConfig.AuthConfig;
import io.fanwire.server.drain.InboundEvent;

/**
 * The testee of the Autobahn|Testsuite's fuzzing client ({@code autobahntestsuite-maven-plugin}, bound to the
 * server module's {@code integration-test} phase): the real server and pipeline (handshake handler, Netty's
 * frame decoder as the server configures it, UTF-8 validation, aggregation, the session handler's ping and
 * close handling) with authentication off and the session handler echoing text and binary messages, which
 * is what the suite expects of a testee.
 *
 * <p>The plugin calls {@link #main} with the port as the only argument on a thread of the Maven JVM, whose
 * class loader puts Maven's own SLF4J 1.7 before ours; so the server runs in a JVM of its own, started here on
 * the test class path with the tests' JVM flags (paranoid leak detection), its output in
 * {@code target/autobahn-testee.log}, and stopped when the plugin interrupts this thread at the end of the suite. The plugin connects to the machine's own address
 * ({@code InetAddress.getLocalHost()}), which the server binds.
 */
public final class AutobahnTesteeMain {

    /** The suite's largest message (cases 9.1.6, 9.2.6) is 16 MiB. */
    private static final int MAX_MESSAGE_BYTES = 20 * 1024 * 1024;
    private static final String SERVE = "serve";
    /** The server's output, beside the test classes: {@code server/target/autobahn-testee.log}. */
    public static final String LOG_FILE = "autobahn-testee.log";

    private AutobahnTesteeMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 1 && args[1].equals(SERVE)) {
            serve(Integer.parseInt(args[0]));
        } else {
            launch(args[0]);
        }
    }

    /** Runs the server in a child JVM until this thread is interrupted. */
    private static void launch(String port) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dio.netty.leakDetection.level=paranoid", "--enable-native-access=ALL-UNNAMED",
                "-cp", classPath(), AutobahnTesteeMain.class.getName(), port, SERVE));
        // Its log goes to a file that AutobahnConformanceIT searches for leaks and warnings.
        Path log = Path.of(AutobahnTesteeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolveSibling(LOG_FILE);
        Process server = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            server.waitFor();
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    /** The test class path the plugin gave this thread's class loader. */
    private static String classPath() throws URISyntaxException {
        List<String> entries = new ArrayList<>();
        if (Thread.currentThread().getContextClassLoader() instanceof URLClassLoader loader) {
            for (URL url : loader.getURLs()) {
                entries.add(Path.of(url.toURI()).toString());
            }
        }
        return entries.isEmpty() ? System.getProperty("java.class.path") : String.join(File.pathSeparator, entries);
    }

    private static void serve(int port) throws InterruptedException {
        ServerConfig config = ServerConfig.builder()
                .host(host())
                .port(port)
                .auth(AuthConfig.disabled())
                // The fuzzing client requests "/".
                .webSocketPaths(List.of("/"))
                .maxFrameBytes(MAX_MESSAGE_BYTES)
                .maxMessageBytes(MAX_MESSAGE_BYTES)
                // The suite has no use for protocol-level pings, and a case never lasts this long.
                .pingInterval(Duration.ofHours(1))
                .idleTimeout(Duration.ofHours(2))
                .shutdownQuietPeriod(Duration.ZERO)
                .build();
        try (FanwireServer server = FanwireServer.builder().config(config).echoFrames().build().start()) {
            // Connect and disconnect events still go to the application: take them, as an application would.
            List<InboundEvent> batch = new ArrayList<>();
            while (true) {
                batch.clear();
                server.drainTo(batch, 1024, Duration.ofMillis(200));
            }
        }
    }

    /** The address the plugin connects to (it falls back to loopback too). */
    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }
}
