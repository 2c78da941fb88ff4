package io.fanwire.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.bench.report.Comparison;
import io.fanwire.bench.report.Progress;
import io.fanwire.bench.report.ReportFormat;
import io.fanwire.bench.report.ReportWriters;
import io.fanwire.bench.report.RunReport;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.scenario.CommonOptions;
import io.fanwire.bench.scenario.Scenario;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code compare}: one scenario against Fanwire and a peer server of {@code peers/}, alternately (Fanwire, peer,
 * Fanwire, peer, …) for {@code --pairs} pairs, with the same client on the same machine. Each run gets a fresh
 * server (Fanwire from its jar, the peer through {@code ./fanwire peer}), a discarded warm-up of the same
 * scenario, and then the measured run; only one server runs at a time. Prints each figure as Fanwire's and the
 * peer's medians and the ratio Fanwire ÷ peer with its spread over the pairs, and writes {@code compare.md},
 * {@code compare.json} and each run's own report under {@code --out}.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Runs a scenario against Fanwire and a peer server alternately (at least 3 pairs) and prints "
                + "each figure as a ratio with its spread.",
                "Scenario options follow `--`, e.g.: compare --peer uws --scenario ping-latency -- --tiers 1000 "
                        + "--duration 10s"})
public final class Compare {

    /** The peers of {@code peers/} that {@code ./fanwire peer} starts. */
    static final List<String> PEERS = List.of("node-ws", "uws", "bun", "go-gorilla");
    /** Options the comparison sets itself for each run. */
    static final Set<String> OWNED = Set.of("--url", "--secret", "--token", "--api-key", "--api-url", "--metrics-url",
            "--server-pid", "--out", "--report-format", "--threshold", "--baseline");
    private static final Pattern LISTENING = Pattern.compile("listening on ws://[^:]+:(\\d+)/ws");
    private static final Duration PEER_START_TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--peer", paramLabel = "NAME",
            description = "The peer server: node-ws, uws, bun or go-gorilla (peers/install.sh installs them).")
    String peer;

    @Option(names = "--baseline-jar", paramLabel = "FILE",
            description = "Instead of a peer: another build of Fanwire's server jar (before a change), run with the "
                    + "same settings; the comparison is this build ÷ that one.")
    Path baselineJar;

    @Option(names = "--scenario", required = true, paramLabel = "NAME",
            description = "The bench scenario to run on both, e.g. ping-latency, throughput, echo, fanout.")
    String scenario;

    @Option(names = "--pairs", paramLabel = "N", defaultValue = "3",
            description = "Pairs of runs, at least 3 (default: ${DEFAULT-VALUE}).")
    int pairs = 3;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "5s",
            converter = CommonOptions.DurationConverter.class,
            description = "A discarded run of the scenario with this duration before each measured run, on each side "
                    + "alike (0s: none; default: ${DEFAULT-VALUE}).")
    Duration warmup = Duration.ofSeconds(5);

    @Option(names = "--pause", paramLabel = "DURATION", defaultValue = "2s",
            converter = CommonOptions.DurationConverter.class,
            description = "Pause after each run, so sockets in TIME_WAIT and the last server's exit do not weigh on "
                    + "the next (default: ${DEFAULT-VALUE}).")
    Duration pause = Duration.ofSeconds(2);

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where compare.md, compare.json and every run's report go (default: "
                    + "bench-results/compare-<scenario>-<peer>-<time>).")
    Path out;

    @Option(names = "--fanwire-set", paramLabel = "KEY=VALUE",
            description = "A setting of the Fanwire server, repeatable, e.g. app.dispatch=loop or io_threads=1.")
    List<String> fanwireSettings = new ArrayList<>();

    @Option(names = "--fanwire-jvm", paramLabel = "OPTION",
            description = "A JVM option of the Fanwire server, repeatable, e.g. -Xmx1g or -XX:+UseZGC.")
    List<String> fanwireJvm = new ArrayList<>();

    @Option(names = "--server-jar", paramLabel = "FILE",
            description = "Fanwire's server jar (default: FANWIRE_SERVER_JAR, else the checkout's).")
    Path serverJar;

    @Option(names = "--root", paramLabel = "DIR",
            description = "The checkout whose ./fanwire starts the peer (default: FANWIRE_ROOT, else the jar's).")
    Path root;

    @Parameters(paramLabel = "SCENARIO_OPTION", arity = "0..*",
            description = "Options of the scenario after `--` (tiers, duration, rate, payload…).")
    List<String> scenarioArgs = new ArrayList<>();

    /** A server under test: its WebSocket URL, credentials and process, stopped on close. */
    private record Target(String url, String secret, String apiKey, long pid, AutoCloseable stopper)
            implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                stopper.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }

    /** Runs the comparison; the exit code (0 done, 1 a run failed, 2 a usage error). */
    int run(String command, PrintStream stdout, PrintStream err) {
        try {
            validate();
        } catch (IllegalArgumentException e) {
            err.println("fanwire bench compare: " + e.getMessage());
            return 2;
        }
        Path jar = serverJar != null ? serverJar : Demo.defaultServerJar();
        Path checkout = root != null ? root : Demo.defaultRoot();
        Path dir = out != null ? out : Path.of("bench-results", "compare-" + scenario + "-" + peer + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        List<ScenarioResult> fanwireRuns = new ArrayList<>();
        List<ScenarioResult> peerRuns = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            stdout.printf("compare: %s, Fanwire vs %s, %d pairs, warm-up %s s per run; runs in %s%n", scenario,
                    peer, pairs, warmup.toMillis() / 1000.0, dir);
            for (int pair = 1; pair <= pairs; pair++) {
                for (boolean fanwire : new boolean[] {true, false}) {
                    String side = fanwire ? "fanwire" : peer;
                    Path runDir = Files.createDirectories(dir.resolve("pair-" + pair + "-" + side));
                    stdout.printf("compare: pair %d of %d: %s%n", pair, pairs, side);
                    try (Target target = fanwire ? startFanwire(jar, runDir, fanwireSettings, fanwireJvm)
                            : baselineJar != null ? startFanwire(baselineJar, runDir, fanwireSettings, fanwireJvm)
                            : startPeer(checkout, runDir)) {
                        if (!warmup.isZero()) {
                            runOnce(target, List.of("--duration", warmup.toMillis() + "ms"), null, err);
                        }
                        ScenarioResult result = runOnce(target, List.of(), runDir, err);
                        (fanwire ? fanwireRuns : peerRuns).add(result);
                    }
                    Thread.sleep(pause.toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("fanwire bench compare: interrupted");
            return 1;
        } catch (Exception e) {
            err.println("fanwire bench compare: a run failed: " + (e.getMessage() != null ? e.getMessage() : e));
            return 1;
        }
        if (!fanwireSettings.isEmpty() || !fanwireJvm.isEmpty()) {
            notes.add("Fanwire ran with " + String.join(" ", fanwireJvm) + (fanwireJvm.isEmpty() ? "" : " ")
                    + fanwireSettings.stream().map(setting -> "--set " + setting)
                            .collect(java.util.stream.Collectors.joining(" ")) + ".");
        }
        if (!warmup.isZero()) {
            notes.add("Each run had a fresh server and a discarded warm-up of " + warmup.toMillis() / 1000.0
                    + " s first; only one server ran at a time.");
        }
        if (fanwireRuns.getFirst().closedLoop()) {
            notes.add("Closed loop: each connection waits for its reply, so latency is not corrected for "
                    + "coordinated omission (the same on both sides).");
        }
        Comparison comparison = Comparison.of(scenario, peer, command, fanwireRuns, peerRuns, notes);
        stdout.println();
        stdout.print(comparison.text());
        try {
            Files.writeString(dir.resolve("compare.md"), "# Fanwire vs " + peer + "\n\n" + comparison.markdown());
            try (Writer w = Files.newBufferedWriter(dir.resolve("compare.json"))) {
                new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(w, json(comparison));
            }
            stdout.println("compare: " + dir.resolve("compare.md"));
            stdout.println("compare: " + dir.resolve("compare.json"));
        } catch (IOException e) {
            err.println("fanwire bench compare: could not write the comparison: " + e.getMessage());
            return 1;
        }
        return 0;
    }

    private void validate() {
        if (baselineJar != null) {
            if (peer != null) {
                throw new IllegalArgumentException("--peer and --baseline-jar: one or the other");
            }
            if (!Files.isRegularFile(baselineJar)) {
                throw new IllegalArgumentException("--baseline-jar " + baselineJar + ": no such file");
            }
            peer = "baseline";
        } else if (peer == null) {
            throw new IllegalArgumentException("--peer NAME (or --baseline-jar FILE) is required");
        } else if (!PEERS.contains(peer)) {
            throw new IllegalArgumentException("--peer " + peer + ": one of " + String.join(", ", PEERS));
        }
        if (pairs < 3) {
            throw new IllegalArgumentException("--pairs " + pairs + ": at least 3, so a spread means something");
        }
        if (scenario.equals("suite") || scenario.equals("compare")) {
            throw new IllegalArgumentException("--scenario " + scenario + ": compare runs one scenario");
        }
        for (String arg : scenarioArgs) {
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (OWNED.contains(name)) {
                throw new IllegalArgumentException(name + ": compare sets it for each server itself");
            }
        }
        // Parse once now, so a wrong scenario or option is a usage error before any server starts.
        parse(new Target("ws://127.0.0.1:1/ws", "x", "x", -1, () -> { }), List.of());
    }

    private Scenario parse(Target target, List<String> extra) {
        List<String> args = new ArrayList<>();
        args.add(scenario);
        args.addAll(scenarioArgs);
        args.addAll(List.of("--url", target.url(), "--secret", target.secret(), "--api-key", target.apiKey(),
                "--server-pid", Long.toString(target.pid())));
        args.addAll(extra);
        CommandLine commandLine = new CommandLine(new BenchMain()).setOverwrittenOptionsAllowed(true);
        try {
            CommandLine.ParseResult parsed = commandLine.parseArgs(args.toArray(String[]::new));
            if (!parsed.hasSubcommand() || !(parsed.subcommand().commandSpec().userObject() instanceof Scenario s)) {
                throw new IllegalArgumentException("--scenario " + scenario + ": not a scenario");
            }
            return s;
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Runs the scenario once against {@code target}; writes its JSON and Markdown reports to {@code dir}. */
    private ScenarioResult runOnce(Target target, List<String> extra, Path dir, PrintStream err) throws Exception {
        Scenario s = parse(target, extra);
        RunReport report;
        try (Progress progress = Progress.create(err, false)) {
            s.common().progress(progress);
            report = BenchMain.execute(s, scenario + " (compare)", System.out, err);
        } finally {
            s.common().progress(null);
        }
        if (report.scenarios().size() != 1) {
            throw new IllegalStateException(scenario + " gave " + report.scenarios().size() + " results; expected one");
        }
        if (dir != null) {
            ReportWriters.writeAll(report, dir, EnumSet.of(ReportFormat.JSON, ReportFormat.MARKDOWN));
        }
        return report.scenarios().getFirst();
    }

    private static Target startFanwire(Path jar, Path dir, List<String> settings, List<String> jvm)
            throws IOException, InterruptedException {
        LocalServer server = LocalServer.start(jar, dir.resolve("server.log"), settings, jvm);
        return new Target(server.wsUrl(), server.secret(), server.apiKey(), server.pid(), server);
    }

    private Target startPeer(Path checkout, Path dir) throws Exception {
        Path launcher = checkout.resolve("fanwire");
        if (!Files.isExecutable(launcher)) {
            throw new IOException("no launcher at " + launcher + " (give --root, the checkout with peers/)");
        }
        String secret = LocalServer.randomToken(32);
        String apiKey = LocalServer.randomToken(24);
        Path log = dir.resolve("peer.log");
        Process process = new ProcessBuilder(launcher.toString(), "peer", peer, "--port", "0", "--secret", secret,
                "--api-key", apiKey).redirectErrorStream(true).start();
        AutoCloseable stop = () -> {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        };
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofPlatform().daemon(true).name("peer-output").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 Writer w = Files.newBufferedWriter(log)) {
                String line;
                while ((line = r.readLine()) != null) {
                    w.write(line);
                    w.write('\n');
                    w.flush();
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the peer stopped
            }
            port.completeExceptionally(new IOException("the " + peer + " peer exited before it listened; see " + log));
        });
        try {
            int p = port.get(PEER_START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return new Target("ws://127.0.0.1:" + p + "/ws", secret, apiKey, process.pid(), stop);
        } catch (Exception e) {
            stop.close();
            throw e instanceof java.util.concurrent.ExecutionException ee && ee.getCause() instanceof Exception c ? c : e;
        }
    }

    /** The comparison as JSON: figures per pair, medians and ratios; unmeasured values are null. */
    static ObjectNode json(Comparison c) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("schemaVersion", 1);
        root.put("scenario", c.scenario());
        root.put("peer", c.peer());
        root.put("pairs", c.pairs());
        root.put("command", c.command());
        ArrayNode notes = root.putArray("notes");
        c.notes().forEach(notes::add);
        ArrayNode tiers = root.putArray("tiers");
        for (Comparison.Tier tier : c.tiers()) {
            ObjectNode t = tiers.addObject();
            t.put("label", tier.label());
            putNumber(t, "fanwireLossPercent", tier.fanwireLossPercent());
            putNumber(t, "peerLossPercent", tier.peerLossPercent());
            t.put("fanwireErrors", tier.fanwireErrors());
            t.put("peerErrors", tier.peerErrors());
            ArrayNode rows = t.putArray("figures");
            for (Comparison.Row row : tier.rows()) {
                ObjectNode r = rows.addObject();
                r.put("name", row.name());
                r.put("higherIsBetter", row.higherIsBetter());
                ArrayNode f = r.putArray("fanwire");
                for (double v : row.fanwire()) {
                    add(f, v);
                }
                ArrayNode p = r.putArray("peer");
                for (double v : row.peer()) {
                    add(p, v);
                }
                ArrayNode ratios = r.putArray("ratios");
                for (double v : row.ratios()) {
                    add(ratios, v);
                }
                putNumber(r, "fanwireMedian", row.fanwireMedian().orElse(Double.NaN));
                putNumber(r, "peerMedian", row.peerMedian().orElse(Double.NaN));
                putNumber(r, "ratioMedian", row.ratioMedian().orElse(Double.NaN));
                putNumber(r, "ratioMin", row.ratioMin().orElse(Double.NaN));
                putNumber(r, "ratioMax", row.ratioMax().orElse(Double.NaN));
                r.put("fanwireIs", row.standing());
            }
        }
        return root;
    }

    private static void putNumber(ObjectNode node, String name, double value) {
        if (Double.isFinite(value)) {
            node.put(name, value);
        } else {
            node.putNull(name);
        }
    }

    private static void add(ArrayNode array, double value) {
        if (Double.isFinite(value)) {
            array.add(value);
        } else {
            array.addNull();
        }
    }
}
