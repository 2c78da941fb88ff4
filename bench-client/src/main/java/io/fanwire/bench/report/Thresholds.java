package io.fanwire.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Evaluates {@link Threshold}s against a run's scenarios, tier by tier, and turns the outcome into the exit code.
 *
 * <p>A threshold is checked in every tier of every scenario it applies to that measures its metric; each such
 * tier gives one {@link CheckResult} with scope {@code scenario/tier label}. A tier that does not measure the
 * metric is skipped, unless the threshold names that scenario or tier, in which case it fails with
 * {@code "not measured"}. A threshold that checked nothing at all fails too (scope {@code run}): a typo must
 * not pass silently.
 */
public final class Thresholds {

    /** The exit code of a run whose checks failed (as k6 does; 1 and 2 stay for errors and bad usage). */
    public static final int EXIT_CODE_FAILED = 99;

    /** Shown as the actual value where a named scenario or tier did not measure the metric. */
    public static final String NOT_MEASURED = "not measured";

    private Thresholds() {
    }

    /**
     * Parses every expression.
     *
     * @throws IllegalArgumentException naming every bad expression, one per line
     */
    public static List<Threshold> parseAll(List<String> expressions) {
        List<Threshold> thresholds = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String expression : expressions) {
            try {
                thresholds.add(Threshold.parse(expression));
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", errors));
        }
        return thresholds;
    }

    /** The checks of all thresholds, in threshold order, then scenario and tier order. */
    public static List<CheckResult> evaluate(List<Threshold> thresholds, List<ScenarioResult> scenarios) {
        List<CheckResult> checks = new ArrayList<>();
        for (Threshold threshold : thresholds) {
            int checked = 0;
            boolean scopeFound = false;
            for (ScenarioResult scenario : scenarios) {
                if (!threshold.appliesTo(scenario)) {
                    continue;
                }
                for (TierResult tier : scenario.tiers()) {
                    if (!threshold.appliesTo(tier)) {
                        continue;
                    }
                    scopeFound = true;
                    String scope = scenario.scenario() + "/" + tier.label();
                    OptionalDouble value = threshold.valueOf(tier);
                    if (value.isEmpty()) {
                        if (threshold.scenario() != null) {
                            checks.add(new CheckResult(threshold.expression(), scope, NOT_MEASURED, false));
                            checked++;
                        }
                        continue;
                    }
                    double actual = value.getAsDouble();
                    checks.add(new CheckResult(threshold.expression(), scope, threshold.format(actual),
                            threshold.operator().test(actual, threshold.limit())));
                    checked++;
                }
            }
            if (checked == 0) {
                String why = threshold.scenario() == null ? NOT_MEASURED
                        : scopeFound ? NOT_MEASURED
                        : "no " + (threshold.tier() == null ? "scenario " + threshold.scenario()
                        : "tier " + threshold.scenario() + "/" + threshold.tier()) + " ran";
                checks.add(new CheckResult(threshold.expression(), "run", why, false));
            }
        }
        return checks;
    }

    /** {@code 0} when every check passed (or there were none), {@link #EXIT_CODE_FAILED} otherwise. */
    public static int exitCode(List<CheckResult> checks) {
        return checks.stream().allMatch(CheckResult::passed) ? 0 : EXIT_CODE_FAILED;
    }
}
