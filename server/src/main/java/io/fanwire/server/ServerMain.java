package io.fanwire.server;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fanwire.common.jwt.JwtKeys;
import io.fanwire.common.jwt.JwtMinter;
import io.fanwire.server.config.ConfigDraft;
import io.fanwire.server.config.Settings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The standalone server. Settings come from defaults, then a YAML file ({@code --config}), then
 * {@code FANWIRE_*} environment variables, then flags. With no JWT key configured it runs in development
 * mode: it makes a random secret and API key for this process and prints a token and ways to connect.
 */
@Command(name = "fanwire server", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = ServerMain.Version.class,
        description = "Runs the Fanwire WebSocket server.",
        footer = {"", "Every setting: fanwire server --list-settings. Environment: FANWIRE_<SETTING> "
                + "(dots become underscores), e.g. FANWIRE_AUTH_JWT_SECRET."})
public final class ServerMain implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServerMain.class);
    private static final String DEV_USER = "dev-user";
    private static final Duration DEV_TOKEN_TTL = Duration.ofHours(24);
    /** How much longer than {@code shutdown.timeout} the shutdown hook waits before it closes regardless. */
    private static final Duration STOP_MARGIN = Duration.ofSeconds(5);

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML file of settings.")
    private Path configFile;

    @Option(names = "--host", description = "Address to bind (setting host).")
    private String host;

    @Option(names = {"-p", "--port"}, description = "Port to bind (setting port).")
    private Integer port;

    @Option(names = "--app", paramLabel = "MODE", description = "Built-in application: echo, count or none (setting app.mode).")
    private String app;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE", description = "Any setting, e.g. --set websocket.ping_interval=10s.")
    private List<String> assignments = new ArrayList<>();

    @Option(names = "--list-settings", description = "Print every setting with its default and exit.")
    private boolean listSettings;

    @Option(names = "--print-config", description = "Print the effective settings (after the file, the environment "
            + "and flags; secrets masked) as YAML and exit.")
    private boolean printConfig;

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServerMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (listSettings) {
            printSettings();
            return 0;
        }
        ConfigDraft draft = new ConfigDraft();
        try {
            if (configFile != null) {
                Settings.apply(draft, Settings.fromYaml(configFile), configFile.toString());
            }
            Settings.apply(draft, Settings.fromEnvironment(System.getenv()), "environment");
            for (String unknown : Settings.unknownEnvironment(System.getenv())) {
                LOG.warn("Environment variable {} matches no setting; ignored", unknown);
            }
            List<String> flags = new ArrayList<>(assignments);
            if (host != null) {
                flags.add("host=" + host);
            }
            if (port != null) {
                flags.add("port=" + port);
            }
            if (app != null) {
                flags.add("app.mode=" + app);
            }
            Settings.apply(draft, Settings.fromAssignments(flags), "flags");
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println("fanwire: " + e.getMessage());
            return 2;
        }

        JwtMinter devMinter = null;
        if (draft.jwtKeyMissing()) {
            if (!draft.jwtAlgorithm().hmac()) {
                System.err.println("fanwire: auth.jwt.public_key is required with " + draft.jwtAlgorithm());
                return 2;
            }
            String secret = "base64:" + Base64.getEncoder().encodeToString(randomBytes(32));
            draft.jwtSecret(secret);
            devMinter = new JwtMinter(draft.jwtAlgorithm(), JwtKeys.hmacKey(draft.jwtAlgorithm(), secret),
                    Clock.systemUTC());
            if (!draft.hostConfigured()) {
                // A development secret, token and API key are printed on the console: keep them local.
                draft.host("127.0.0.1");
            }
            if (draft.apiKey() == null) {
                draft.apiKey(Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(24)));
            }
        }

        if (printConfig) {
            return printConfig(draft);
        }
        if (!draft.authEnabled()) {
            LOG.warn("auth.enabled=false: every client connects without a token, as user 'anonymous'. "
                    + "Only for conformance test runs.");
        }
        BuiltInApp app = new BuiltInApp(draft.appMode(), draft.appDispatch());
        boolean onLoop = draft.appDispatch().equals("loop");
        FanwireServer server;
        try {
            FanwireServer.Builder builder = FanwireServer.builder().config(draft.toConfig()).info("app", app::info);
            if (onLoop) {
                // Callback mode on the event loop: the built-in applications never block.
                builder.handler(app::handle, Runnable::run);
            }
            server = builder.build();
            app.attach(server);
            server.start();
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("fanwire: " + e.getMessage());
            return e instanceof IllegalArgumentException ? 2 : 1;
        }
        if (!onLoop) {
            app.start();
        }

        CountDownLatch stopped = new CountDownLatch(1);
        server.stopped().whenComplete((ignored, error) -> stopped.countDown());
        Duration timeout = server.config().shutdown().timeout();
        boolean signalsHandled = handleStopSignals(server);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("fanwire-shutdown").unstarted(() -> {
            // Stopped already when main returns; otherwise a signal we do not handle (SIGHUP), System.exit elsewhere,
            // or SIGTERM itself when its handler could not be installed.
            if (stopped.getCount() == 0) {
                return;
            }
            LOG.info("Stopping (shutdown hook): draining for at most {}", timeout);
            server.shutdownGracefully();
            try {
                if (!stopped.await(timeout.toMillis() + STOP_MARGIN.toMillis(), TimeUnit.MILLISECONDS)) {
                    server.close();
                }
                app.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!signalsHandled) {
                // The JVM is exiting with 128 + the signal; the drain went as planned, so say so: halt skips the
                // remaining hooks, which is why this one runs last and the server is closed already.
                Runtime.getRuntime().halt(0);
            }
        }));

        if (devMinter != null) {
            // The development token may publish anywhere, so a newcomer can try topics from a browser console.
            String token = devMinter.mint(DEV_USER, DEV_TOKEN_TTL,
                    java.util.Map.of("fanwire_publish", java.util.Map.of("allow", List.of("*"))));
            printDevBanner(server, token, draft.apiKey());
        }
        stopped.await();
        app.stop();
        return 0;
    }

    /**
     * SIGTERM and SIGINT: the first starts a graceful drain, after which {@link #call()} returns and the process
     * exits 0; a second one closes what remains at once with 1001.
     *
     * <p>Why {@code sun.misc.Signal}, and why by reflection: a shutdown hook alone cannot tell a first signal from a
     * second, and the JVM exits with 143 after a SIGTERM whatever the hooks do, unless one of them halts.
     * {@code sun.misc.Signal} (module {@code jdk.unsupported}, kept by JEP 260 until a supported replacement exists)
     * replaces the JVM's handler, so the process exits through {@code System.exit(0)} with every hook run. Named in
     * source it draws javac's "internal proprietary API" warning, which no {@code @SuppressWarnings} silences and
     * {@code -Werror} turns into an error; reflection keeps the build clean. Where the class is missing or the
     * signal is taken ({@code -Xrs}), the shutdown hook drains instead and halts with 0.
     *
     * @return whether both signals are handled here
     */
    private static boolean handleStopSignals(FanwireServer server) {
        AtomicInteger received = new AtomicInteger();
        Runnable onSignal = () -> {
            if (received.incrementAndGet() == 1) {
                LOG.info("Stopping (signal): draining for at most {}; signal again to stop at once",
                        server.config().shutdown().timeout());
                server.shutdownGracefully();
            } else {
                LOG.info("Stopping (second signal): closing the remaining connections with 1001");
                // Not on the signal dispatcher thread: close() waits for the connections' close handshakes.
                Thread.ofPlatform().name("fanwire-stop").start(server::close);
            }
        };
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Method handle = signal.getMethod("handle", signal, handler);
            Object proxy = Proxy.newProxyInstance(ServerMain.class.getClassLoader(),
                    new Class<?>[] {handler}, (self, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            onSignal.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(self);
                        case "equals" -> self == args[0];
                        case "toString" -> "fanwire stop signal handler";
                        default -> null;
                    });
            for (String name : List.of("TERM", "INT")) {
                handle.invoke(null, signal.getConstructor(String.class).newInstance(name), proxy);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.info("Stop signals are left to the JVM ({}); a shutdown hook drains instead", e.toString());
            return false;
        }
    }

    private static void printDevBanner(FanwireServer server, String token, String apiKey) {
        String hostPart = "127.0.0.1:" + server.port();
        String path = server.config().webSocketPaths().get(0);
        boolean tls = server.config().tlsEnabled();
        String http = tls ? "https://" : "http://";
        String url = (tls ? "wss://" : "ws://") + hostPart + path;
        System.out.println();
        System.out.println("Fanwire is running in development mode: the JWT secret and API key below were made for");
        System.out.println("this process only. Set auth.jwt.secret (FANWIRE_AUTH_JWT_SECRET) and api.key for real use.");
        System.out.println();
        System.out.println("  WebSocket   " + url);
        System.out.println("  Token       " + token + "   (user " + DEV_USER + ", valid 24 h)");
        System.out.println("  API key     " + apiKey);
        System.out.println();
        System.out.println("Connect from a browser: open " + http + hostPart + "/health/live, then paste into its console:");
        System.out.println("  ws = new WebSocket('" + url + "', ['fanwire.v1', 'bearer." + token
                + "']); ws.onmessage = e => console.log(e.data); ws.onopen = () => ws.send('{\"t\":\"echo\",\"p\":{\"hello\":\"fanwire\"}}')");
        System.out.println("then try a topic (subscribe, publish, receive the stamped publication):");
        System.out.println("  ws.send('{\"t\":\"subscription\",\"p\":{\"topics\":[\"demo\"]}}'); "
                + "ws.send('{\"t\":\"publish\",\"p\":{\"topic\":\"demo\",\"data\":{\"hi\":1}},\"cid\":\"1\"}')");
        System.out.println("or with websocat:");
        System.out.println("  websocat -H 'Authorization: Bearer " + token + "' " + url);
        System.out.println("Server counters:");
        String apiHostPart = "127.0.0.1:" + server.apiPort();
        System.out.println("  curl -H 'X-API-Key: " + apiKey + "' " + http + apiHostPart + "/api/info");
        if (server.config().metrics().enabled()) {
            System.out.println("Prometheus metrics:");
            String keyHeader = server.config().metrics().requireApiKey() ? "-H 'X-API-Key: " + apiKey + "' " : "";
            System.out.println("  curl " + keyHeader + http + apiHostPart + "/metrics");
        }
        System.out.println();
        System.out.flush();
    }

    /** {@code --print-config}: the settings the server would run with, checked, secrets masked. */
    private int printConfig(ConfigDraft draft) {
        try {
            draft.toConfig();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("fanwire: " + e.getMessage());
            return 2;
        }
        java.io.PrintWriter out = spec.commandLine().getOut();
        out.println("# Fanwire " + FanwireServer.VERSION + ": effective settings (secrets masked); the comment names "
                + "each value's source");
        Settings.describe(draft).forEach(out::println);
        out.flush();
        return 0;
    }

    private static void printSettings() {
        System.out.printf("%-34s %-26s %s%n", "SETTING (env FANWIRE_...)", "DEFAULT", "DESCRIPTION");
        for (Settings.Setting s : Settings.all()) {
            System.out.printf("%-34s %-26s %s%n", s.key(), s.defaultValue().isEmpty() ? "-" : s.defaultValue(),
                    s.description());
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    /** Reports the server version for {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Fanwire " + FanwireServer.VERSION + " (Java " + Runtime.version() + ")"};
        }
    }
}
