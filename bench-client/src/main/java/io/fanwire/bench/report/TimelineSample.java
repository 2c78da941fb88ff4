package io.fanwire.bench.report;

/**
 * One sample of a tier's progress over time, for the throughput and connections charts.
 *
 * @param elapsedSeconds    seconds since the tier started
 * @param connections       connections open at that moment
 * @param sentPerSecond     messages the client sent per second over the last interval
 * @param receivedPerSecond messages the client received per second over the last interval
 * @param errors            errors so far in the tier
 * @param serverRssBytes    the server's resident memory, or -1 when not sampled
 * @param serverCpuPercent  the server's CPU use over the last interval (100 = one core), or -1
 */
public record TimelineSample(double elapsedSeconds, int connections, double sentPerSecond,
                             double receivedPerSecond, long errors, long serverRssBytes, double serverCpuPercent) {
}
