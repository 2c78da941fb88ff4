package io.fanwire.bench.report;

/**
 * The names scenarios use as keys in {@link TierResult}'s maps. Writers know their units from the name:
 * counters are counts, names ending in {@code _per_s} are rates, latencies are microsecond distributions.
 * A scenario may add names of its own; these are the ones every writer and threshold understands.
 */
public final class Metric {

    // counters
    /** Messages the client sent. */
    public static final String SENT = "sent";
    /** Messages the client received. */
    public static final String RECEIVED = "received";
    /** Messages the server says it received (from its own counters); the figure throughput is quoted from. */
    public static final String SERVER_RECEIVED = "server_received";
    /** Messages the server says it delivered (fan-out deliveries). */
    public static final String SERVER_DELIVERED = "server_delivered";
    /** Messages expected but never received. */
    public static final String LOST = "lost";
    /** Errors: failed connects, protocol errors, unexpected closes. */
    public static final String ERRORS = "errors";
    /** Connections that were established. */
    public static final String CONNECTED = "connected";
    /** Connection attempts that failed. */
    public static final String CONNECT_FAILED = "connect_failed";
    /** Connections lost before the tier ended. */
    public static final String DROPPED_CONNECTIONS = "dropped_connections";
    /** Gaps in a topic's offsets as seen by subscribers. */
    public static final String GAPS = "gaps";
    /** Publications a subscriber received twice. */
    public static final String DUPLICATES = "duplicates";
    /** Publications that arrived out of order. */
    public static final String REORDERS = "reorders";
    /** Deliveries the server dropped for slow consumers (from its metrics). */
    public static final String SERVER_SLOW_DROPS = "server_slow_drops";
    /** Paced sends that could not go out at their intended time (counted, never silently delayed). */
    public static final String LATE_SENDS = "late_sends";
    /** HTTP requests that got a non-2xx answer or failed. */
    public static final String HTTP_ERRORS = "http_errors";

    // rates
    /** Client sends per second. */
    public static final String SENT_PER_S = "sent_per_s";
    /** Client receptions per second. */
    public static final String RECEIVED_PER_S = "received_per_s";
    /** Server-counted receptions per second. */
    public static final String SERVER_RECEIVED_PER_S = "server_received_per_s";
    /** Server-counted (or subscriber-counted) deliveries per second. */
    public static final String DELIVERIES_PER_S = "deliveries_per_s";
    /** Connections established per second. */
    public static final String CONNECTS_PER_S = "connects_per_s";
    /** HTTP requests per second. */
    public static final String REQUESTS_PER_S = "requests_per_s";
    /** Payload megabytes per second (10^6 bytes) the server received. */
    public static final String MB_PER_S = "mb_per_s";

    // latencies
    /** Round trip from the intended send time (corrected for coordinated omission). */
    public static final String RTT = "rtt";
    /** Round trip from the actual send time. */
    public static final String RTT_UNCORRECTED = "rtt_uncorrected";
    /** TCP connect through {@code server_ready}. */
    public static final String HANDSHAKE = "handshake";
    /** Publish (intended time) to delivery at a subscriber. */
    public static final String DELIVERY = "delivery";
    /** Publish (actual time) to delivery at a subscriber. */
    public static final String DELIVERY_UNCORRECTED = "delivery_uncorrected";
    /** HTTP request latency from the intended send time. */
    public static final String HTTP_LATENCY = "http";

    private Metric() {
    }
}
