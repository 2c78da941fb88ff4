package io.fanwire.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.fanwire.bench.load.Tiers;
import io.fanwire.bench.report.LatencySummary;
import io.fanwire.bench.report.RunEnvironment;
import io.fanwire.bench.report.RunReport;
import io.fanwire.bench.report.RunTarget;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;
import io.fanwire.bench.scenario.CommonOptions;
import io.fanwire.bench.scenario.ConnectStorm;
import io.fanwire.bench.scenario.Echo;
import io.fanwire.bench.scenario.Fanout;
import io.fanwire.bench.scenario.FormatCompare;
import io.fanwire.bench.scenario.HttpLoad;
import io.fanwire.bench.scenario.Limit;
import io.fanwire.bench.scenario.PingLatency;
import io.fanwire.bench.scenario.Preflight;
import io.fanwire.bench.scenario.Profile;
import io.fanwire.bench.scenario.Scenario;
import io.fanwire.bench.scenario.Throughput;
import io.fanwire.bench.scenario.Users;
import io.fanwire.bench.scenario.ServerProbe;
import io.fanwire.bench.scenario.SizeMatrix;
import io.fanwire.bench.scenario.Suite;
import io.fanwire.bench.scenario.SustainedHold;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParseResult;

/**
 * Entry point of the load client: {@code fanwire bench <scenario> [options]}. Parses the command, prints the
 * preflight, runs the scenario, prints a short summary and writes {@code --out DIR/report.json}.
 */
@Command(name = "fanwire bench", mixinStandardHelpOptions = true,
        description = "Fanwire load client: one subcommand per scenario.",
        subcommands = {ConnectStorm.class, PingLatency.class, Throughput.class, Echo.class, Fanout.class,
                SustainedHold.class, SizeMatrix.class, FormatCompare.class, Users.class, Profile.class, Limit.class,
                Suite.class, HttpLoad.class})
public final class BenchMain {

    /** The bench client's version, from the jar's manifest. */
    static final String VERSION = java.util.Optional.ofNullable(BenchMain.class.getPackage().getImplementationVersion())
            .orElse("dev");

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BenchMain.class);

    private BenchMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a bench command; the exit code: 0 done, 1 the run failed, 2 a usage error. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        String[] rest = args;
        if (rest.length > 0 && rest[0].equals("bench")) {
            rest = java.util.Arrays.copyOfRange(rest, 1, rest.length);
        } else if (rest.length > 0 && rest[0].equals("demo")) {
            err.println("fanwire demo: not part of the load client");
            return 2;
        }
        CommandLine commandLine = new CommandLine(new BenchMain());
        ParseResult parsed;
        try {
            parsed = commandLine.parseArgs(rest);
        } catch (CommandLine.ParameterException e) {
            err.println(e.getMessage());
            e.getCommandLine().usage(err);
            return 2;
        }
        if (CommandLine.printHelpIfRequested(parsed)) {
            return 0;
        }
        if (!parsed.hasSubcommand()) {
            commandLine.usage(err);
            return 2;
        }
        Scenario scenario = (Scenario) parsed.subcommand().commandSpec().userObject();
        try {
            RunReport report = execute(scenario, String.join(" ", maskSecrets(args)), out, err);
            printSummary(report, out);
            CommonOptions common = scenario.common();
            if (common.out() != null) {
                Path file = writeJson(report, common.out());
                out.println("report: " + file);
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("fanwire bench: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("fanwire bench: the run failed: " + e);
            LOG.debug("The run failed", e);
            return 1;
        }
    }

    /** Runs {@code scenario} and records it. */
    static RunReport execute(Scenario scenario, String command, PrintStream out, PrintStream err) throws Exception {
        CommonOptions common = scenario.common();
        int maxConnections = Tiers.parse(common.tiersOr(Tiers.DEFAULT)).stream().mapToInt(Integer::intValue).max()
                .orElse(0);
        Preflight preflight = Preflight.check(maxConnections, common.clientOptions().sourceAddresses().size());
        preflight.lines().forEach(line -> err.println("preflight: " + line));
        preflight.warnings().forEach(line -> err.println("preflight: WARNING " + line));
        ServerProbe probe = common.probe();
        RunTarget target = target(common, probe);
        Instant started = Instant.now();
        List<ScenarioResult> results = scenario.runAll();
        return new RunReport(RunReport.SCHEMA_VERSION, started, Instant.now(), environment(command, common), target,
                results, List.of());
    }

    private static RunTarget target(CommonOptions common, ServerProbe probe) {
        JsonNode info = probe.info();
        String name = "unknown";
        String version = "unknown";
        if (info != null && info.has("version")) {
            name = "fanwire";
            version = info.path("version").asText("unknown");
        } else if (!probe.metrics().isEmpty()) {
            name = "fanwire";
        }
        return new RunTarget(common.clientOptions().url().toString(), name, version, probe.serverPid());
    }

    private static RunEnvironment environment(String command, CommonOptions common) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown";
        }
        long memory = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize();
        }
        return new RunEnvironment(host,
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), memory,
                System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"),
                ManagementFactory.getRuntimeMXBean().getInputArguments(), VERSION, 1, command, common.describe());
    }

    private static List<String> maskSecrets(String[] args) {
        List<String> out = new ArrayList<>();
        boolean mask = false;
        for (String a : args) {
            if (mask) {
                out.add("***");
                mask = false;
            } else if (a.startsWith("--secret=") || a.startsWith("--api-key=") || a.startsWith("--token=")) {
                out.add(a.substring(0, a.indexOf('=') + 1) + "***");
            } else {
                out.add(a);
                mask = a.equals("--secret") || a.equals("--api-key") || a.equals("--token");
            }
        }
        return out;
    }

    /** Writes {@code report} as {@code dir/report.json}. */
    static Path writeJson(RunReport report, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("report.json");
        ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(SerializationFeature.INDENT_OUTPUT);
        mapper.writeValue(file.toFile(), report);
        return file;
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "?" : String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** A minimal plain summary until the report writers arrive. */
    static void printSummary(RunReport report, PrintStream out) {
        for (ScenarioResult scenario : report.scenarios()) {
            out.println();
            out.println("== " + scenario.title() + " (" + scenario.scenario() + ")"
                    + (scenario.closedLoop() ? " [closed loop: latency not corrected]" : ""));
            out.println("   " + scenario.measures());
            for (TierResult tier : scenario.tiers()) {
                StringBuilder line = new StringBuilder("-- ").append(tier.label()).append(':');
                tier.counters().forEach((k, v) -> {
                    if (!k.contains(".")) {
                        line.append(' ').append(k).append('=').append(v);
                    }
                });
                out.println(line);
                if (!tier.rates().isEmpty()) {
                    StringBuilder rates = new StringBuilder("   rates:");
                    tier.rates().forEach((k, v) -> rates.append(' ').append(k).append('=')
                            .append(String.format(java.util.Locale.ROOT, "%.1f", v)));
                    out.println(rates);
                }
                for (Map.Entry<String, LatencySummary> e : tier.latencies().entrySet()) {
                    LatencySummary l = e.getValue();
                    out.println(String.format(java.util.Locale.ROOT,
                            "   %-22s n=%d p50=%.2fms p90=%.2fms p99=%.2fms p99.9=%.2fms max=%.2fms", e.getKey(),
                            l.count(), l.p50Micros() / 1000, l.p90Micros() / 1000, l.p99Micros() / 1000,
                            l.p999Micros() / 1000, l.maxMicros() / 1000));
                }
                if (tier.server() != null) {
                    out.println(String.format(java.util.Locale.ROOT, "   server (%s): rss %s -> %s, heap %s -> %s, cpu %.2f s, fds %d",
                            tier.server().source(), mib(tier.server().rssBeforeBytes()), mib(tier.server().rssAfterBytes()),
                            mib(tier.server().heapUsedBeforeBytes()), mib(tier.server().heapUsedAfterBytes()),
                            tier.server().cpuSeconds(), tier.server().openFds()));
                }
                tier.notes().forEach(n -> out.println("   note: " + n));
            }
            scenario.notes().forEach(n -> out.println("note: " + n));
        }
    }
}
