package io.fanwire.bench.report;

import java.util.List;
import java.util.Objects;

/**
 * What one scenario measured, tier by tier.
 *
 * @param scenario    the scenario's command name, e.g. {@code ping-latency}
 * @param title       a heading for reports, e.g. {@code "Ping latency"}
 * @param measures    one or two sentences: what the figures mean and how they were taken
 * @param closedLoop  true when each connection waits for a reply before sending again (ping-pong); such
 *                    latency is not corrected for coordinated omission and reports must say so
 * @param tiers       one result per tier (connection count, payload size, load step…), in run order
 * @param notes       anything a reader must know to trust the figures (warnings, skipped tiers)
 */
public record ScenarioResult(String scenario, String title, String measures, boolean closedLoop,
                             List<TierResult> tiers, List<String> notes) {

    public ScenarioResult {
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(measures, "measures");
        tiers = List.copyOf(tiers);
        notes = List.copyOf(notes);
    }
}
