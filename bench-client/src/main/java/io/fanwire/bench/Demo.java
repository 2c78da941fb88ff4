package io.fanwire.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.fanwire.bench.scenario.Suite;
import picocli.CommandLine;

/**
 * {@code fanwire demo}: the one command a newcomer runs to see the whole product work. Starts a Fanwire server
 * on a free loopback port with a fresh secret (a child process, the built-in echo app), runs the {@code quick}
 * suite against it, writes every report format, stops the server with SIGTERM (a graceful drain) and prints
 * where the HTML report is.
 */
final class Demo {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    private Demo() {
    }

    /**
     * Runs the demo. Options: {@code --out DIR} (default {@code bench-results/demo-<time>}), {@code --server-jar
     * FILE} (default: {@code FANWIRE_SERVER_JAR}, else next to this jar's module), {@code --set NAME} (default
     * {@code quick}), {@code --threshold EXPR} (repeatable; a failed one makes the exit code 99).
     *
     * @return the exit code: 0 when the run completed, 1 when it failed, 2 for a usage error
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Path dir = Path.of("bench-results", "demo-" + LocalDateTime.now().format(STAMP));
        Path serverJar = defaultServerJar();
        String set = "quick";
        List<String> thresholds = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if ((a.equals("--out") || a.equals("--server-jar") || a.equals("--set") || a.equals("--threshold"))
                    && i + 1 < args.length) {
                String v = args[++i];
                switch (a) {
                    case "--out" -> dir = Path.of(v);
                    case "--server-jar" -> serverJar = Path.of(v);
                    case "--threshold" -> thresholds.add(v);
                    default -> set = v;
                }
            } else if (a.equals("-h") || a.equals("--help")) {
                out.println("Usage: fanwire demo [--out DIR] [--set quick|full|...] [--threshold EXPR]... [--server-jar FILE]");
                out.println("Starts a local server, runs a short suite against it, writes the reports, stops the server.");
                return 0;
            } else {
                err.println("fanwire demo: unknown option " + a
                        + " (expected: --out DIR, --set NAME, --threshold EXPR, --server-jar FILE)");
                return 2;
            }
        }
        try {
            Files.createDirectories(dir);
            Path log = dir.resolve("server.log");
            out.println("demo: starting a Fanwire server (" + serverJar + "), log in " + log);
            int exit;
            try (LocalServer server = LocalServer.start(serverJar, log)) {
                out.println("demo: server ready on " + server.wsUrl() + " (pid " + server.pid() + ")");
                List<String> suiteArgs = new ArrayList<>(List.of("--set", set, "--url", server.wsUrl(),
                        "--secret", server.secret(), "--api-key", server.apiKey(),
                        "--server-pid", Long.toString(server.pid()), "--out", dir.toString()));
                for (String threshold : thresholds) {
                    suiteArgs.add("--threshold");
                    suiteArgs.add(threshold);
                }
                Suite suite = new Suite();
                new CommandLine(suite).parseArgs(suiteArgs.toArray(String[]::new));
                exit = BenchMain.runScenario(suite, "fanwire demo --set " + set, out, err);
                int serverExit = server.stop();
                out.println("demo: server stopped with SIGTERM (graceful drain), exit code " + serverExit);
            }
            Path html = dir.resolve("report.html").toAbsolutePath();
            if (Files.exists(html)) {
                out.println();
                out.println("demo: open the report: file://" + html);
            }
            return exit;
        } catch (IOException e) {
            err.println("fanwire demo: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("fanwire demo: interrupted");
            return 1;
        }
    }

    /** {@code FANWIRE_SERVER_JAR}, else {@code ../../server/target/fanwire-server.jar} from this jar. */
    static Path defaultServerJar() {
        String env = System.getenv("FANWIRE_SERVER_JAR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        try {
            Path self = Path.of(Demo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // bench-client/target/fanwire-bench.jar (or target/classes) -> <root>/server/target/fanwire-server.jar
            Path moduleTarget = self.getParent();
            return moduleTarget.getParent().getParent().resolve("server").resolve("target").resolve("fanwire-server.jar");
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return Path.of("server", "target", "fanwire-server.jar");
        }
    }

    /** The checkout this bench client was built in: {@code FANWIRE_ROOT}, else two levels above its jar. */
    static Path defaultRoot() {
        String env = System.getenv("FANWIRE_ROOT");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return defaultServerJar().toAbsolutePath().getParent().getParent().getParent();
    }
}
