package io.fanwire.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.fanwire.bench.load.Tiers;
import io.fanwire.bench.report.RunEnvironment;
import io.fanwire.bench.report.BaselineComparison;
import io.fanwire.bench.report.CheckResult;
import io.fanwire.bench.report.Progress;
import io.fanwire.bench.report.ReportFormat;
import io.fanwire.bench.report.ReportJson;
import io.fanwire.bench.report.ReportWriters;
import io.fanwire.bench.report.RunReport;
import io.fanwire.bench.report.TextReport;
import io.fanwire.bench.report.Threshold;
import io.fanwire.bench.report.Thresholds;
import io.fanwire.bench.report.RunTarget;
import io.fanwire.bench.report.ScenarioResult;
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
import io.fanwire.bench.worker.WorkerPlan;
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
                Suite.class, HttpLoad.class, Compare.class})
public final class BenchMain {

    /** The bench client's version, from the jar's manifest. */
    static final String VERSION = java.util.Optional.ofNullable(BenchMain.class.getPackage().getImplementationVersion())
            .orElse("dev");

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BenchMain.class);

    BenchMain() {
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
            return Demo.run(java.util.Arrays.copyOfRange(rest, 1, rest.length), out, err);
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
        if (parsed.subcommand().commandSpec().userObject() instanceof Compare compare) {
            return compare.run(String.join(" ", maskSecrets(args)), out, err);
        }
        Scenario scenario = (Scenario) parsed.subcommand().commandSpec().userObject();
        return runScenario(scenario, String.join(" ", maskSecrets(args)), out, err);
    }

    /**
     * Runs {@code scenario} with a progress line on {@code err}, evaluates the thresholds, compares with the
     * baseline, prints the text report on {@code out} and writes the report files; the exit code: 0, 99 when a
     * threshold failed, 1 when the run failed, 2 for a usage error.
     */
    static int runScenario(Scenario scenario, String command, PrintStream out, PrintStream err) {
        CommonOptions common = scenario.common();
        try {
            List<Threshold> thresholds = Thresholds.parseAll(common.thresholds());
            Set<ReportFormat> formats = common.reportFormats().isEmpty() ? ReportWriters.allFormats()
                    : common.reportFormats().stream().map(ReportFormat::of)
                            .collect(java.util.stream.Collectors.toCollection(() -> java.util.EnumSet.noneOf(ReportFormat.class)));
            RunReport baseline = common.baseline() == null ? null : ReportJson.read(common.baseline());
            RunReport report;
            boolean terminal = Progress.isInteractiveTerminal(System.console() != null, System.getenv("TERM"));
            try (Progress progress = Progress.create(err, terminal)) {
                common.progress(progress);
                report = execute(scenario, command, out, err);
            } finally {
                common.progress(null);
            }
            List<CheckResult> checks = Thresholds.evaluate(thresholds, report.scenarios());
            report = new RunReport(report.schemaVersion(), report.startedAt(), report.finishedAt(), report.environment(),
                    report.target(), report.scenarios(), checks);
            BaselineComparison comparison = baseline == null ? null
                    : BaselineComparison.compare(baseline, report, common.tolerancePercent());
            out.print(TextReport.render(report, comparison));
            if (common.out() != null) {
                Map<ReportFormat, Path> files = ReportWriters.writeAll(report, comparison, common.out(), formats);
                files.forEach((format, file) -> out.println("report (" + format.name().toLowerCase(java.util.Locale.ROOT)
                        + "): " + file));
            }
            return Thresholds.exitCode(report.checks());
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
        if (common.workers() > 1 && !scenario.supportsWorkers()) {
            throw new IllegalArgumentException("--workers " + common.workers() + ": " + scenario.name()
                    + " runs in one process; connect-storm, ping-latency, sustained-hold, throughput, size-matrix and "
                    + "format-compare run on workers");
        }
        // The plan of the largest tier asked for; each scenario plans its own tiers again when it runs.
        WorkerPlan plan = common.workerPlan(maxConnections, scenario.name(), scenario.supportsWorkers());
        Preflight preflight = Preflight.check(maxConnections, plan);
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
                ManagementFactory.getRuntimeMXBean().getInputArguments(), VERSION, common.loadProcesses(), command,
                common.describe());
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
}
