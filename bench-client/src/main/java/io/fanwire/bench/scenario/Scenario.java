package io.fanwire.bench.scenario;

import io.fanwire.bench.report.ScenarioResult;

/** One kind of measurement. Each implementation states what it measures and whether it is closed-loop. */
public interface Scenario {

    /** The command name, e.g. {@code ping-latency}. */
    String name();

    /** A heading for reports. */
    String title();

    /** One or two sentences: what the figures mean and how they were taken. */
    String measures();

    /** Whether each connection waits for an answer before it sends again (latency then is not corrected). */
    boolean closedLoop();

    /** The options this scenario runs with. */
    CommonOptions common();

    /**
     * Whether the scenario can spread its connections over worker processes (see {@code --workers}); those that
     * cannot refuse a tier larger than one process can hold.
     */
    default boolean supportsWorkers() {
        return false;
    }

    /** Runs every tier against the server and returns what was measured. Blocking. */
    ScenarioResult run() throws Exception;

    /** The results of this run: one, or several for a scenario that runs others (the suite). */
    default java.util.List<ScenarioResult> runAll() throws Exception {
        return java.util.List.of(run());
    }
}
