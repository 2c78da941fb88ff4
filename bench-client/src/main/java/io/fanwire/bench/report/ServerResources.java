package io.fanwire.bench.report;

/**
 * The server's resources before and after a tier, from its {@code /metrics} or a local process's
 * {@code /proc}. Values that could not be read are -1.
 *
 * @param source          where the values came from: {@code "metrics"} or {@code "proc"}
 * @param rssBeforeBytes  resident memory before the tier
 * @param rssAfterBytes   resident memory at the end of the tier (connections still open)
 * @param heapUsedBeforeBytes JVM heap in use before the tier (Fanwire only)
 * @param heapUsedAfterBytes  JVM heap in use at the end of the tier
 * @param cpuSeconds      CPU time the server used during the tier
 * @param openFds         open file descriptors at the end of the tier
 */
public record ServerResources(String source, long rssBeforeBytes, long rssAfterBytes, long heapUsedBeforeBytes,
                              long heapUsedAfterBytes, double cpuSeconds, long openFds) {

    /** Resident memory the tier added per connection, or -1 when unknown or {@code connections <= 0}. */
    public long rssPerConnectionBytes(int connections) {
        if (rssBeforeBytes < 0 || rssAfterBytes < 0 || connections <= 0) {
            return -1;
        }
        return (rssAfterBytes - rssBeforeBytes) / connections;
    }
}
