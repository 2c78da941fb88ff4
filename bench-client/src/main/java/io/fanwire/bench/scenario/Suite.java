package io.fanwire.bench.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import io.fanwire.bench.report.ScenarioResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code suite}: runs a named set of scenarios one after another with cool-downs: {@code quick} (a smoke run),
 * {@code full}, and the seed reproductions {@code pystrands} (pingpong/echo/blast at their client counts),
 * {@code wse} (wse-bench's tiers: connect, ping, throughput, fan-out, hold) and {@code zeptoclaw} (users × rate).
 * The connection options (URL, secret, API key, format…) apply to every scenario; each step sets its own tiers,
 * duration and rate.
 */
@Command(name = "suite", mixinStandardHelpOptions = true,
        description = "A named set of scenarios with cool-downs: quick, full, pystrands, wse, zeptoclaw, agentbounty, mcp.")
public final class Suite extends BaseScenario {

    @Option(names = "--set", paramLabel = "NAME", defaultValue = "quick",
            description = "quick, full, pystrands, wse, zeptoclaw, agentbounty or mcp (default: ${DEFAULT-VALUE}).")
    String set = "quick";

    @Option(names = "--suite-cooldown", paramLabel = "DURATION", defaultValue = "3s",
            converter = CommonOptions.DurationConverter.class,
            description = "Pause between the suite's scenarios (default: ${DEFAULT-VALUE}).")
    Duration suiteCooldown = Duration.ofSeconds(3);

    /** One scenario of a set, with its tiers, duration and rate. */
    record Step(Supplier<BaseScenario> scenario, String tiers, Duration duration, Double rate) {
    }

    @Override
    public String name() {
        return "suite";
    }

    @Override
    public String title() {
        return "Suite " + set;
    }

    @Override
    public String measures() {
        return "The scenarios of the set, each reported on its own.";
    }

    @Override
    public boolean closedLoop() {
        return false;
    }

    @Override
    public ScenarioResult run() {
        throw new UnsupportedOperationException("a suite has one result per scenario: use runAll()");
    }

    @Override
    public List<ScenarioResult> runAll() throws Exception {
        List<ScenarioResult> results = new ArrayList<>();
        List<Step> steps = steps(set);
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            BaseScenario scenario = step.scenario().get();
            scenario.common(common.with(step.tiers(), step.duration(), step.rate()));
            results.addAll(scenario.runAll());
            if (i < steps.size() - 1) {
                parkUntil(System.nanoTime() + suiteCooldown.toNanos());
            }
        }
        return results;
    }

    /** The steps of a named set. */
    static List<Step> steps(String name) {
        Duration s5 = Duration.ofSeconds(5);
        Duration s10 = Duration.ofSeconds(10);
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "quick" -> List.of(
                    new Step(ConnectStorm::new, "100,500", null, null),
                    new Step(PingLatency::new, "100", s5, 10.0),
                    new Step(Throughput::new, "100", s5, 100.0),
                    new Step(() -> echo("pingpong"), "100", s5, null),
                    new Step(Fanout::new, "100", s5, null),
                    new Step(() -> http("health,metrics"), "50", Duration.ofSeconds(3), null));
            case "full" -> List.of(
                    new Step(ConnectStorm::new, "100,500,1000,2000,5000,10000", null, null),
                    new Step(PingLatency::new, "100,1000,5000", s10, 1.0),
                    new Step(Throughput::new, "100,1000", s10, 100.0),
                    new Step(() -> echo("pingpong,echo,blast"), "100,1000", s10, 100.0),
                    new Step(Fanout::new, "100,1000", s10, null),
                    new Step(SizeMatrix::new, "100", s5, 100.0),
                    new Step(FormatCompare::new, "100", s5, 100.0),
                    new Step(SustainedHold::new, "1000", Duration.ofSeconds(30), null),
                    new Step(() -> http("health,ready,metrics,info"), "50,100", s10, null));
            case "mcp" -> List.of(
                    new Step(() -> profile("constant:10000"), "100", Duration.ofSeconds(15), null),
                    new Step(() -> profile("ramp:1000-20000/15s"), "100", Duration.ofSeconds(15), null),
                    new Step(() -> profile("spike:10000-50000@5s/3s"), "100", Duration.ofSeconds(15), null),
                    new Step(() -> profile("step:5000x5s,10000x5s,20000x5s"), "100", Duration.ofSeconds(15), null));
            case "agentbounty" -> List.of(
                    new Step(() -> http("health,ready"), "100", s10, null),
                    new Step(() -> http("metrics,info,publish"), "50", s10, null));
            case "pystrands" -> List.of(
                    new Step(() -> echo("pingpong"), "100", s10, null),
                    new Step(() -> echo("pingpong"), "1000", Duration.ofSeconds(15), null),
                    new Step(() -> echo("pingpong"), "5000", Duration.ofSeconds(17), null),
                    new Step(() -> echo("echo"), "500", Duration.ofSeconds(15), 100.0),
                    new Step(() -> echo("blast"), "100", Duration.ofMillis(800), null));
            case "wse" -> List.of(
                    new Step(ConnectStorm::new, "100,500,1000,2000,5000,10000", null, null),
                    new Step(PingLatency::new, "100,500,1000,5000,10000", s10, 1.0),
                    new Step(Throughput::new, "100,500,1000,5000,10000", s10, 0.0),
                    new Step(Fanout::new, "100,1000,10000", s10, null),
                    new Step(SustainedHold::new, "10000", Duration.ofSeconds(30), null));
            case "zeptoclaw" -> List.of(
                    new Step(Users::new, "100,500,1000", Duration.ofSeconds(30), 1.0),
                    new Step(Users::new, "500", s10, 10.0));
            default -> throw new IllegalArgumentException("set: " + name
                    + " (expected: quick, full, pystrands, wse, zeptoclaw, agentbounty or mcp)");
        };
    }

    private static Profile profile(String shape) {
        Profile profile = new Profile();
        profile.shape = shape;
        return profile;
    }

    private static HttpLoad http(String endpoints) {
        HttpLoad http = new HttpLoad();
        http.endpoints = endpoints;
        return http;
    }

    private static Echo echo(String modes) {
        Echo echo = new Echo();
        echo.modes = modes;
        return echo;
    }
}
