package io.fanwire.bench.report;

import java.time.Duration;
import java.util.Objects;

/**
 * What a tier is doing now, for {@link Progress#update(ProgressSnapshot)}.
 *
 * @param scenario          the scenario's command name, e.g. {@code ping-latency}
 * @param tier              the tier's label, e.g. {@code 1000 conns}
 * @param connections       connections open now
 * @param sentPerSecond     messages sent per second over the last interval
 * @param receivedPerSecond messages received per second over the last interval
 * @param errors            errors so far in this tier
 * @param elapsed           time since the tier started
 * @param remaining         time until the tier ends, or {@code null} when it has no fixed end
 */
public record ProgressSnapshot(String scenario, String tier, int connections, double sentPerSecond,
                               double receivedPerSecond, long errors, Duration elapsed, Duration remaining) {

    public ProgressSnapshot {
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(elapsed, "elapsed");
        if (connections < 0) {
            throw new IllegalArgumentException("connections: " + connections + " (expected: >= 0)");
        }
        if (errors < 0) {
            throw new IllegalArgumentException("errors: " + errors + " (expected: >= 0)");
        }
        if (elapsed.isNegative()) {
            throw new IllegalArgumentException("elapsed: " + elapsed + " (expected: >= 0)");
        }
        if (remaining != null && remaining.isNegative()) {
            remaining = Duration.ZERO; // a tier that overran its end by a scheduling hiccup
        }
    }
}
