package io.fanwire.bench.report;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The record of one bench run: where it ran, against what, what each scenario measured and which
 * thresholds held. Serialised as the versioned JSON document described in {@code docs/BENCH-REPORT.md};
 * every other report format is rendered from this one object.
 *
 * @param schemaVersion version of the JSON schema; bumped on any incompatible change
 * @param startedAt     wall-clock start of the run
 * @param finishedAt    wall-clock end of the run
 * @param environment   machine, JDK, flags and options of the client
 * @param target        the server that was measured
 * @param scenarios     one result per scenario, in the order they ran
 * @param checks        the {@code --threshold} expressions and whether each held
 */
public record RunReport(int schemaVersion, Instant startedAt, Instant finishedAt, RunEnvironment environment,
                        RunTarget target, List<ScenarioResult> scenarios, List<CheckResult> checks) {

    /** The schema version this build writes. */
    public static final int SCHEMA_VERSION = 1;

    public RunReport {
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(target, "target");
        scenarios = List.copyOf(scenarios);
        checks = List.copyOf(checks);
    }

    /** True when every threshold held (and vacuously when there were none). */
    public boolean passed() {
        return checks.stream().allMatch(CheckResult::passed);
    }
}
