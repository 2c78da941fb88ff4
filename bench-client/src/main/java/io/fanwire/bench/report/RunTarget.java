package io.fanwire.bench.report;

/**
 * The server under test.
 *
 * @param url           the WebSocket URL connections went to
 * @param serverName    what the server says it is (for Fanwire, from {@code server_hello} or {@code /api/info});
 *                      {@code "unknown"} for a raw-protocol peer that does not say
 * @param serverVersion the server's version, or {@code "unknown"}
 * @param serverPid     the server's process id when it is a local process whose {@code /proc} was sampled,
 *                      or -1
 */
public record RunTarget(String url, String serverName, String serverVersion, long serverPid) {
}
