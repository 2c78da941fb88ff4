package io.fanwire.server;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.fanwire.common.codec.DecodeLimits;
import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.jwt.JwtVerifierConfig;
import io.fanwire.common.protocol.Uuid7;
import io.fanwire.server.transport.TransportKind;

/**
 * Everything a {@link FanwireServer} needs to know, immutable and validated on construction. Build one
 * with {@link #builder()}; every setting starts at its {@code DEFAULT_*} constant.
 *
 * @param host the address to bind
 * @param port the port to bind; 0 picks a free one
 * @param transport the I/O transport
 * @param ioThreads event loop threads; 0 means one per available processor
 * @param backlog the accept backlog
 * @param tcpNoDelay whether to disable Nagle's algorithm on accepted sockets
 * @param writeBufferLowWaterBytes a connection becomes writable again below this many queued outbound bytes
 * @param writeBufferHighWaterBytes a connection becomes unwritable above this many queued outbound bytes
 * @param webSocketPaths the paths that upgrade to WebSocket (the first is the canonical one)
 * @param maxFrameBytes the largest single WebSocket frame payload accepted
 * @param maxMessageBytes the largest message accepted, after joining fragments and after decompression
 * @param maxHttpBodyBytes the largest HTTP request body accepted before the upgrade (server API)
 * @param maxHttpHeaderBytes the largest HTTP header block accepted
 * @param maxHttpInitialLineBytes the longest HTTP request line accepted
 * @param jsonFrames whether JSON goes out in text or binary frames
 * @param pingInterval how often the server pings each connection
 * @param idleTimeout connections silent for longer are closed with 1000 "idle"
 * @param compressionThreshold JSON messages larger than this many bytes are sent compressed ({@code C:}) to
 *        clients that announced compression; 0 disables compression
 * @param auth how connecting clients authenticate
 * @param drain bounds of the inbound event queue
 * @param pubsub topics, history, presence and slow-consumer policy
 * @param apiKey the key of the HTTP server API ({@code /api/*}), or {@code null} to switch the API off
 * @param apiHost the address the server API's own port binds to (used only with an {@code apiPort})
 * @param apiPort the server API's own port, serving {@code /api/*} (and health) only, while the main port answers
 *        404 for {@code /api/*}; {@link #NO_API_PORT} serves the API on the main port; 0 picks a free port
 * @param nodeId this node's id, reported by the info endpoint
 * @param shutdownQuietPeriod how long event loops wait for late tasks when the server closes
 * @param metrics whether {@code /metrics} is served, and behind the API key or not
 * @param maxHeapRatio {@code /health/ready} answers 503 while the heap after the last collection is above this
 *        ratio of the maximum heap; 0 disables the check
 * @param rateLimit per-connection budgets for inbound messages and control frames, and when abuse closes with 1008
 * @param shutdown how a graceful drain closes connections, and how long it may take
 * @param limits connection limits enforced before the upgrade, and the maximum connection lifetime
 * @param tls TLS on the WebSocket port and the server API's own port ({@code wss://}, {@code https://}), or
 *        {@code null} for plain TCP
 * @param cluster how this node joins others: a shared port, and the Redis broker
 */
public record ServerConfig(
        String host,
        int port,
        TransportKind transport,
        int ioThreads,
        int backlog,
        boolean tcpNoDelay,
        int writeBufferLowWaterBytes,
        int writeBufferHighWaterBytes,
        List<String> webSocketPaths,
        int maxFrameBytes,
        int maxMessageBytes,
        int maxHttpBodyBytes,
        int maxHttpHeaderBytes,
        int maxHttpInitialLineBytes,
        JsonFrames jsonFrames,
        Duration pingInterval,
        Duration idleTimeout,
        int compressionThreshold,
        AuthConfig auth,
        DrainConfig drain,
        PubSubConfig pubsub,
        String apiKey,
        String apiHost,
        int apiPort,
        String nodeId,
        Duration shutdownQuietPeriod,
        MetricsConfig metrics,
        double maxHeapRatio,
        RateLimitConfig rateLimit,
        ShutdownConfig shutdown,
        LimitsConfig limits,
        TlsConfig tls,
        ClusterConfig cluster) {

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 8000;
    public static final int DEFAULT_BACKLOG = 4096;
    public static final int DEFAULT_WRITE_BUFFER_LOW_WATER_BYTES = 32 * 1024;
    public static final int DEFAULT_WRITE_BUFFER_HIGH_WATER_BYTES = 64 * 1024;
    public static final List<String> DEFAULT_WEBSOCKET_PATHS = List.of("/ws", "/wse");
    public static final int DEFAULT_MAX_FRAME_BYTES = DecodeLimits.DEFAULT_MAX_MESSAGE_BYTES;
    public static final int DEFAULT_MAX_MESSAGE_BYTES = DecodeLimits.DEFAULT_MAX_MESSAGE_BYTES;
    public static final int DEFAULT_MAX_HTTP_BODY_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_HTTP_HEADER_BYTES = 16 * 1024;
    public static final int DEFAULT_MAX_HTTP_INITIAL_LINE_BYTES = 4 * 1024;
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(25);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_COMPRESSION_THRESHOLD = FrameCodec.DEFAULT_COMPRESSION_THRESHOLD;
    public static final Duration DEFAULT_SHUTDOWN_QUIET_PERIOD = Duration.ofMillis(100);
    /** {@link #apiPort()} when the server API shares the main port. */
    public static final int NO_API_PORT = -1;
    public static final int DEFAULT_API_PORT = NO_API_PORT;
    /** The server API's own port is internal: loopback unless configured otherwise. */
    public static final String DEFAULT_API_HOST = "127.0.0.1";
    /** Not ready while the heap after a collection is above 95 % of its maximum. */
    public static final double DEFAULT_MAX_HEAP_RATIO = 0.95;

    /** How JSON messages are framed. */
    public enum JsonFrames {
        /** Text frames: readable in browser devtools (the default). */
        TEXT,
        /** Binary frames, as WSE sends them. */
        BINARY
    }

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
        Objects.requireNonNull(transport, "transport");
        nonNegative("ioThreads", ioThreads);
        positive("backlog", backlog);
        positive("writeBufferLowWaterBytes", writeBufferLowWaterBytes);
        if (writeBufferHighWaterBytes < writeBufferLowWaterBytes) {
            throw new IllegalArgumentException("writeBufferHighWaterBytes: " + writeBufferHighWaterBytes
                    + " (expected: >= writeBufferLowWaterBytes " + writeBufferLowWaterBytes + ")");
        }
        webSocketPaths = List.copyOf(webSocketPaths);
        if (webSocketPaths.isEmpty()) {
            throw new IllegalArgumentException("webSocketPaths: [] (expected: at least one path)");
        }
        for (String path : webSocketPaths) {
            if (!path.startsWith("/") || path.contains("?")) {
                throw new IllegalArgumentException("webSocketPaths: " + path + " (expected: a path like /ws)");
            }
        }
        positive("maxFrameBytes", maxFrameBytes);
        positive("maxMessageBytes", maxMessageBytes);
        positive("maxHttpBodyBytes", maxHttpBodyBytes);
        positive("maxHttpHeaderBytes", maxHttpHeaderBytes);
        positive("maxHttpInitialLineBytes", maxHttpInitialLineBytes);
        Objects.requireNonNull(jsonFrames, "jsonFrames");
        positive("pingInterval", pingInterval);
        positive("idleTimeout", idleTimeout);
        nonNegative("compressionThreshold", compressionThreshold);
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(drain, "drain");
        Objects.requireNonNull(pubsub, "pubsub");
        if (apiKey != null && apiKey.length() < 16) {
            throw new IllegalArgumentException("apiKey: " + apiKey.length() + " characters (expected: >= 16)");
        }
        Objects.requireNonNull(apiHost, "apiHost");
        if (apiPort < NO_API_PORT || apiPort > 65535) {
            throw new IllegalArgumentException("apiPort: " + apiPort + " (expected: 0-65535, or " + NO_API_PORT
                    + " to serve the API on the main port)");
        }
        if (apiPort != NO_API_PORT && apiKey == null) {
            throw new IllegalArgumentException("apiPort: " + apiPort
                    + " (expected: no port of its own without an apiKey, which switches the API off)");
        }
        if (apiPort > 0 && apiPort == port) {
            throw new IllegalArgumentException("apiPort: " + apiPort + " (expected: a port other than port " + port + ")");
        }
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(shutdownQuietPeriod, "shutdownQuietPeriod");
        Objects.requireNonNull(metrics, "metrics");
        if (metrics.enabled() && metrics.requireApiKey() && apiKey == null) {
            throw new IllegalArgumentException("metrics.requireApiKey: true (expected: an apiKey to require, or false)");
        }
        Objects.requireNonNull(cluster, "cluster");
        if (!(maxHeapRatio >= 0 && maxHeapRatio <= 1)) {
            throw new IllegalArgumentException("maxHeapRatio: " + maxHeapRatio + " (expected: 0-1, 0 to disable)");
        }
        Objects.requireNonNull(rateLimit, "rateLimit");
        Objects.requireNonNull(shutdown, "shutdown");
        Objects.requireNonNull(limits, "limits");
    }

    /** Whether connections are served over TLS ({@code wss://}, {@code https://}). */
    public boolean tlsEnabled() {
        return tls != null;
    }

    /** Every component, the API key masked (the TLS key masks itself): configurations get logged and printed. */
    @Override
    public String toString() {
        java.util.StringJoiner out = new java.util.StringJoiner(", ", "ServerConfig[", "]");
        for (java.lang.reflect.RecordComponent component : ServerConfig.class.getRecordComponents()) {
            Object value;
            try {
                value = component.getAccessor().invoke(this);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            out.add(component.getName() + "=" + (component.getName().equals("apiKey") && value != null ? "(secret)" : value));
        }
        return out.toString();
    }

    /** A builder with every setting at its default; authentication must be set. */
    public static Builder builder() {
        return new Builder();
    }

    /** The protocol's decode limits for this configuration. */
    public DecodeLimits decodeLimits() {
        return DecodeLimits.of(maxMessageBytes);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }

    private static void nonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
        }
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }

    /** Bounds a duration that is used in nanoseconds, where {@link Duration#toNanos()} overflows past 292 years. */
    private static void atMost(String name, Duration value, Duration max) {
        if (value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: <= " + max + ")");
        }
    }

    /** A day: longer than any sensible window or lead, and far from where nanosecond arithmetic overflows. */
    static final Duration MAX_WINDOW = Duration.ofHours(24);

    /**
     * How clients authenticate during the handshake, and how long their tokens carry a connection.
     *
     * @param jwt token verification, or {@code null} to accept every client without a token (only for
     *        conformance test runs; never in production)
     * @param cookieName the cookie that may carry the token
     * @param queryTokenEnabled whether {@code ?token=} is accepted (it leaks into proxy logs; off by default)
     * @param subprotocol the subprotocol selected when a client sends its token as {@code bearer.<jwt>}
     * @param allowedOrigins the {@code Origin} values browsers may connect from (exact match); empty: any origin,
     *        except that a token in a cookie is then only accepted from the server's own origin (or without
     *        {@code Origin}), so that other sites cannot ride on a browser's cookie
     * @param tokenExpiryWarning how long before the token's {@code exp} a connection is sent {@code token_expiring};
     *        without a {@code refresh} it is closed with 4401 at {@code exp} plus the leeway
     * @param jwks a key set to fetch verification keys from (RS256 and ES256), besides or instead of {@code jwt}'s
     *        key, or {@code null}
     */
    public record AuthConfig(JwtVerifierConfig jwt, String cookieName, boolean queryTokenEnabled, String subprotocol,
                             List<String> allowedOrigins, Duration tokenExpiryWarning, JwksConfig jwks) {

        public static final String DEFAULT_COOKIE_NAME = "access_token";
        public static final String DEFAULT_SUBPROTOCOL = "fanwire.v1";
        /** Time enough for a client to ask its backend for a new token, even on a slow mobile network. */
        public static final Duration DEFAULT_TOKEN_EXPIRY_WARNING = Duration.ofSeconds(60);

        public AuthConfig {
            Objects.requireNonNull(cookieName, "cookieName");
            Objects.requireNonNull(subprotocol, "subprotocol");
            allowedOrigins = List.copyOf(allowedOrigins);
            Objects.requireNonNull(tokenExpiryWarning, "tokenExpiryWarning");
            if (tokenExpiryWarning.isNegative()) {
                throw new IllegalArgumentException("tokenExpiryWarning: " + tokenExpiryWarning + " (expected: >= 0)");
            }
            atMost("tokenExpiryWarning", tokenExpiryWarning, MAX_WINDOW);
            if (jwks != null && (jwt == null || jwt.algorithm().hmac())) {
                throw new IllegalArgumentException("jwks: " + jwks.url() + " (expected: RS256 or ES256 authentication;"
                        + " key sets hold public keys)");
            }
            if (jwt != null && jwt.key() == null && jwks == null) {
                throw new IllegalArgumentException("jwt.key: null (expected: a key, or a jwks URL to fetch keys from)");
            }
        }

        /** Without a key set. */
        public AuthConfig(JwtVerifierConfig jwt, String cookieName, boolean queryTokenEnabled, String subprotocol,
                          List<String> allowedOrigins, Duration tokenExpiryWarning) {
            this(jwt, cookieName, queryTokenEnabled, subprotocol, allowedOrigins, tokenExpiryWarning, null);
        }

        /** With the default token expiry warning. */
        public AuthConfig(JwtVerifierConfig jwt, String cookieName, boolean queryTokenEnabled, String subprotocol,
                          List<String> allowedOrigins) {
            this(jwt, cookieName, queryTokenEnabled, subprotocol, allowedOrigins, DEFAULT_TOKEN_EXPIRY_WARNING);
        }

        /** Without an Origin allow-list. */
        public AuthConfig(JwtVerifierConfig jwt, String cookieName, boolean queryTokenEnabled, String subprotocol) {
            this(jwt, cookieName, queryTokenEnabled, subprotocol, List.of());
        }

        /** A copy that accepts browsers only from {@code origins}. */
        public AuthConfig withAllowedOrigins(List<String> origins) {
            return new AuthConfig(jwt, cookieName, queryTokenEnabled, subprotocol, origins, tokenExpiryWarning, jwks);
        }

        /** A copy that sends {@code token_expiring} {@code warning} before a token's {@code exp}. */
        public AuthConfig withTokenExpiryWarning(Duration warning) {
            return new AuthConfig(jwt, cookieName, queryTokenEnabled, subprotocol, allowedOrigins, warning, jwks);
        }

        /** A copy that also takes verification keys from the key set {@code jwks}. */
        public AuthConfig withJwks(JwksConfig jwks) {
            return new AuthConfig(jwt, cookieName, queryTokenEnabled, subprotocol, allowedOrigins, tokenExpiryWarning,
                    jwks);
        }

        /** JWT authentication with the default cookie name and subprotocol, query tokens off. */
        public static AuthConfig jwt(JwtVerifierConfig jwt) {
            return new AuthConfig(Objects.requireNonNull(jwt, "jwt"), DEFAULT_COOKIE_NAME, false, DEFAULT_SUBPROTOCOL);
        }

        /**
         * JWT authentication with keys from the key set {@code jwks} (and {@code jwt}'s key, when it has one), the
         * default cookie name and subprotocol, query tokens off.
         */
        public static AuthConfig jwt(JwtVerifierConfig jwt, JwksConfig jwks) {
            return new AuthConfig(Objects.requireNonNull(jwt, "jwt"), DEFAULT_COOKIE_NAME, false, DEFAULT_SUBPROTOCOL,
                    List.of(), DEFAULT_TOKEN_EXPIRY_WARNING, Objects.requireNonNull(jwks, "jwks"));
        }

        /** No authentication: every client connects as user {@code anonymous}. For conformance test runs only. */
        public static AuthConfig disabled() {
            return new AuthConfig(null, DEFAULT_COOKIE_NAME, false, DEFAULT_SUBPROTOCOL);
        }

        /** Whether clients must present a token. */
        public boolean required() {
            return jwt != null;
        }
    }

    /**
     * A JSON Web Key Set to take verification keys from (docs/PROTOCOL.md §1.5). It is fetched with the JDK's HTTP
     * client on a thread of its own, never on an event loop: once at start (the server is not ready before that,
     * for at most {@code fetchTimeout}), every {@code refreshInterval}, and when a token names a {@code kid} the set
     * does not hold, at most once per {@code minRefreshInterval}. A failed fetch keeps the keys fetched before.
     *
     * @param url where the key set is served: {@code https}, or {@code http} only to a loopback address
     *        ({@code localhost}, {@code 127.0.0.0/8}, {@code ::1}), since whoever can change the set in transit can
     *        mint accepted tokens
     * @param refreshInterval how often the set is fetched again
     * @param minRefreshInterval the shortest time between two fetches asked for by unknown {@code kid}s
     * @param fetchTimeout how long one fetch may take, connection included
     */
    public record JwksConfig(URI url, Duration refreshInterval, Duration minRefreshInterval,
                             Duration fetchTimeout) {

        public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(5);
        /** Rotations are rare; a flood of tokens with made-up kids must not turn into a flood of fetches. */
        public static final Duration DEFAULT_MIN_REFRESH_INTERVAL = Duration.ofSeconds(30);
        public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(5);
        /** A fetch taking longer is as good as failed; the start waits up to this long for the first one. */
        public static final Duration MAX_FETCH_TIMEOUT = Duration.ofMinutes(5);

        public JwksConfig {
            Objects.requireNonNull(url, "url");
            if (url.getHost() == null || !("https".equals(url.getScheme())
                    || "http".equals(url.getScheme()) && isLoopback(url.getHost()))) {
                // The key set decides whose tokens are genuine: fetched in the clear, anyone on the path could
                // swap in keys of their own.
                throw new IllegalArgumentException("url: " + url
                        + " (expected: an https URL, or http to a loopback address)");
            }
            positive("refreshInterval", refreshInterval);
            positive("minRefreshInterval", minRefreshInterval);
            positive("fetchTimeout", fetchTimeout);
            atMost("refreshInterval", refreshInterval, MAX_WINDOW);
            atMost("fetchTimeout", fetchTimeout, MAX_FETCH_TIMEOUT);
            if (minRefreshInterval.compareTo(refreshInterval) > 0) {
                throw new IllegalArgumentException("minRefreshInterval: " + minRefreshInterval
                        + " (expected: <= refreshInterval " + refreshInterval + ")");
            }
        }

        /**
         * Whether {@code host} (from a URL, so an IPv6 literal is bracketed) names this machine without a lookup:
         * {@code localhost}, {@code 127.0.0.0/8} or {@code ::1}.
         */
        private static boolean isLoopback(String host) {
            String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            if ("localhost".equalsIgnoreCase(h) || "::1".equals(h) || "0:0:0:0:0:0:0:1".equals(h)) {
                return true;
            }
            String[] octets = h.split("\\.", -1);
            if (octets.length != 4 || !"127".equals(octets[0])) {
                return false;
            }
            for (String octet : octets) {
                if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(Character::isDigit)
                        || Integer.parseInt(octet) > 255) {
                    return false;
                }
            }
            return true;
        }

        /** The key set at {@code url}, with the default intervals and timeout. */
        public static JwksConfig of(URI url) {
            return new JwksConfig(url, DEFAULT_REFRESH_INTERVAL, DEFAULT_MIN_REFRESH_INTERVAL, DEFAULT_FETCH_TIMEOUT);
        }
    }

    /**
     * Bounds of the inbound event queue (drain mode and callback mode alike), in events and in bytes.
     *
     * @param highWaterEvents above this many pending events the server stops reading from sockets
     * @param lowWaterEvents reading resumes when pending events fall to this many (and bytes to a quarter of
     *        {@code highWaterBytes})
     * @param capacityEvents messages that would push pending events past this are refused with an
     *        {@code error} (counted); connect and disconnect events are always accepted
     * @param highWaterBytes above this many pending message bytes the server stops reading from sockets; messages
     *        that would pass four times this are refused like those beyond {@code capacityEvents}
     */
    public record DrainConfig(int highWaterEvents, int lowWaterEvents, int capacityEvents, long highWaterBytes) {

        public static final int DEFAULT_HIGH_WATER_EVENTS = 8192;
        public static final int DEFAULT_LOW_WATER_EVENTS = 2048;
        public static final int DEFAULT_CAPACITY_EVENTS = 65536;
        public static final long DEFAULT_HIGH_WATER_BYTES = 32L * 1024 * 1024;
        public static final DrainConfig DEFAULT = new DrainConfig(DEFAULT_HIGH_WATER_EVENTS, DEFAULT_LOW_WATER_EVENTS,
                DEFAULT_CAPACITY_EVENTS, DEFAULT_HIGH_WATER_BYTES);

        public DrainConfig {
            positive("highWaterEvents", highWaterEvents);
            nonNegative("lowWaterEvents", lowWaterEvents);
            if (lowWaterEvents >= highWaterEvents) {
                throw new IllegalArgumentException("lowWaterEvents: " + lowWaterEvents
                        + " (expected: < highWaterEvents " + highWaterEvents + ")");
            }
            if (capacityEvents < highWaterEvents) {
                throw new IllegalArgumentException("capacityEvents: " + capacityEvents
                        + " (expected: >= highWaterEvents " + highWaterEvents + ")");
            }
            if (highWaterBytes < 1024) {
                throw new IllegalArgumentException("highWaterBytes: " + highWaterBytes + " (expected: >= 1024)");
            }
        }

        /** Event bounds with the default byte bound. */
        public DrainConfig(int highWaterEvents, int lowWaterEvents, int capacityEvents) {
            this(highWaterEvents, lowWaterEvents, capacityEvents, DEFAULT_HIGH_WATER_BYTES);
        }

        /** Pending bytes at which reading resumes. */
        public long lowWaterBytes() {
            return highWaterBytes / 4;
        }

        /** Pending bytes beyond which messages are refused. */
        public long capacityBytes() {
            return highWaterBytes * 4;
        }
    }

    /**
     * The Prometheus endpoint, {@code GET /metrics}: served on the API's own port when there is one, else on the
     * main port.
     *
     * @param enabled whether {@code /metrics} is served (404 otherwise; the meters are kept either way)
     * @param requireApiKey whether a scrape must present the server API's key, as {@code /api/*} requests do
     */
    public record MetricsConfig(boolean enabled, boolean requireApiKey) {

        public static final boolean DEFAULT_ENABLED = true;
        public static final boolean DEFAULT_REQUIRE_API_KEY = false;
        /** Served, without a key: the Prometheus convention, for an endpoint that reveals no secrets. */
        public static final MetricsConfig DEFAULT = new MetricsConfig(DEFAULT_ENABLED, DEFAULT_REQUIRE_API_KEY);
    }

    /**
     * Per-connection abuse limits, enforced on the connection's event loop (docs/PROTOCOL.md §6.2). Each connection
     * has a token bucket for its messages and one for its control frames (WebSocket ping and pong frames); a
     * message or control frame over its budget is a violation, and {@code maxViolations} of them within
     * {@code violationWindow} close the connection with 1008.
     *
     * @param messageCapacity the message bucket's size: the burst a client may send; 0 switches message limiting off
     * @param messageRefillPerSecond messages per second added back to the bucket: the sustained rate
     * @param controlCapacity the control-frame bucket's size; 0 switches control-frame limiting off
     * @param controlRefillPerSecond control frames per second added back
     * @param maxViolations rejected messages and unanswered control frames tolerated within {@code violationWindow};
     *        one more closes the connection with 1008
     * @param violationWindow the window violations are counted in; it starts at the first violation
     * @param warningInterval the shortest time between two {@code rate_limit_warning}s to one connection
     */
    public record RateLimitConfig(int messageCapacity, double messageRefillPerSecond, int controlCapacity,
                                  double controlRefillPerSecond, int maxViolations, Duration violationWindow,
                                  Duration warningInterval) {

        /** A burst of a hundred messages, a chat client's reconnect-and-catch-up at most. */
        public static final int DEFAULT_MESSAGE_CAPACITY = 100;
        /** Twenty messages a second, sustained: far above a person typing, well below a flood. */
        public static final double DEFAULT_MESSAGE_REFILL_PER_SECOND = 20;
        public static final int DEFAULT_CONTROL_CAPACITY = 20;
        /** Browsers and libraries ping every few seconds at most. */
        public static final double DEFAULT_CONTROL_REFILL_PER_SECOND = 2;
        public static final int DEFAULT_MAX_VIOLATIONS = 100;
        public static final Duration DEFAULT_VIOLATION_WINDOW = Duration.ofSeconds(10);
        public static final Duration DEFAULT_WARNING_INTERVAL = Duration.ofSeconds(1);
        public static final RateLimitConfig DEFAULT = new RateLimitConfig(DEFAULT_MESSAGE_CAPACITY,
                DEFAULT_MESSAGE_REFILL_PER_SECOND, DEFAULT_CONTROL_CAPACITY, DEFAULT_CONTROL_REFILL_PER_SECOND,
                DEFAULT_MAX_VIOLATIONS, DEFAULT_VIOLATION_WINDOW, DEFAULT_WARNING_INTERVAL);
        /** No limits at all; for benchmarks that measure the server, not its policy. */
        public static final RateLimitConfig UNLIMITED = new RateLimitConfig(0, 0, 0, 0,
                DEFAULT_MAX_VIOLATIONS, DEFAULT_VIOLATION_WINDOW, DEFAULT_WARNING_INTERVAL);

        public RateLimitConfig {
            nonNegative("messageCapacity", messageCapacity);
            if (messageCapacity > 0 && !(messageRefillPerSecond > 0 && Double.isFinite(messageRefillPerSecond))) {
                throw new IllegalArgumentException("messageRefillPerSecond: " + messageRefillPerSecond
                        + " (expected: > 0 with a messageCapacity)");
            }
            nonNegative("controlCapacity", controlCapacity);
            if (controlCapacity > 0 && !(controlRefillPerSecond > 0 && Double.isFinite(controlRefillPerSecond))) {
                throw new IllegalArgumentException("controlRefillPerSecond: " + controlRefillPerSecond
                        + " (expected: > 0 with a controlCapacity)");
            }
            positive("maxViolations", maxViolations);
            positive("violationWindow", violationWindow);
            positive("warningInterval", warningInterval);
            atMost("violationWindow", violationWindow, MAX_WINDOW);
            atMost("warningInterval", warningInterval, MAX_WINDOW);
        }

        /** Whether inbound messages are limited. */
        public boolean limitsMessages() {
            return messageCapacity > 0;
        }

        /** Whether control frames are limited. */
        public boolean limitsControlFrames() {
            return controlCapacity > 0;
        }

        /** A copy with this message budget; capacity 0 switches message limiting off. */
        public RateLimitConfig withMessages(int capacity, double refillPerSecond) {
            return new RateLimitConfig(capacity, refillPerSecond, controlCapacity, controlRefillPerSecond,
                    maxViolations, violationWindow, warningInterval);
        }

        /** A copy with this control-frame budget; capacity 0 switches control-frame limiting off. */
        public RateLimitConfig withControlFrames(int capacity, double refillPerSecond) {
            return new RateLimitConfig(messageCapacity, messageRefillPerSecond, capacity, refillPerSecond,
                    maxViolations, violationWindow, warningInterval);
        }

        /** A copy that closes after {@code max} violations within {@code window}. */
        public RateLimitConfig withViolations(int max, Duration window) {
            return new RateLimitConfig(messageCapacity, messageRefillPerSecond, controlCapacity,
                    controlRefillPerSecond, max, window, warningInterval);
        }
    }

    /**
     * The graceful drain ({@code FanwireServer.shutdownGracefully}, {@code SIGTERM}, {@code POST /api/drain}): readiness
     * and new upgrades answer 503, then open connections are closed with 4300 at {@code closesPerSecond}, each told
     * to come back after {@code retryAfter} plus a random share of {@code retryJitter}; whatever is still open at
     * {@code timeout} is closed with 1001.
     *
     * @param timeout how long a drain may take before the remaining connections are closed with 1001
     * @param closesPerSecond connections closed with 4300 per second, so that clients do not all reconnect at once
     * @param retryAfter the least {@code retry_after_ms} a client is told
     * @param retryJitter the most added to {@code retryAfter}, uniformly at random per connection
     */
    public record ShutdownConfig(Duration timeout, int closesPerSecond, Duration retryAfter, Duration retryJitter) {

        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
        public static final int DEFAULT_CLOSES_PER_SECOND = 1000;
        public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
        public static final Duration DEFAULT_RETRY_JITTER = Duration.ofSeconds(4);
        public static final ShutdownConfig DEFAULT = new ShutdownConfig(DEFAULT_TIMEOUT, DEFAULT_CLOSES_PER_SECOND,
                DEFAULT_RETRY_AFTER, DEFAULT_RETRY_JITTER);

        public ShutdownConfig {
            positive("timeout", timeout);
            positive("closesPerSecond", closesPerSecond);
            nonNegative("retryAfter", retryAfter);
            nonNegative("retryJitter", retryJitter);
        }
    }

    /**
     * Limits on connections, checked before the upgrade, and on their age. 0 switches a limit off.
     *
     * @param maxConnections WebSocket connections this server holds at most; more get 503 with {@code Retry-After}
     * @param maxConnectionsPerIp WebSocket connections one client address may hold; more get 429
     * @param handshakesPerIpPerSecond upgrade requests one client address may make per second, with a burst of as
     *        many; more get 429
     * @param requestTimeout a connection must deliver a complete HTTP request this long after it opened, or it is
     *        answered 408 and closed, so that slow or silent clients cannot hold sockets; a kept-alive connection
     *        that sends no new request this long after a response is closed without an answer
     * @param maxLifetime connections older than this (give or take {@code lifetimeJitter}) are closed with 4300, as in
     *        a drain, so that long-lived clients spread over new nodes; {@link Duration#ZERO}: no limit
     * @param lifetimeJitter each connection's lifetime is {@code maxLifetime} plus or minus a random share of this
     */
    public record LimitsConfig(int maxConnections, int maxConnectionsPerIp, int handshakesPerIpPerSecond,
                               Duration requestTimeout, Duration maxLifetime, Duration lifetimeJitter) {

        public static final int DEFAULT_MAX_CONNECTIONS = 0;
        public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 0;
        public static final int DEFAULT_HANDSHAKES_PER_IP_PER_SECOND = 0;
        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
        public static final Duration DEFAULT_MAX_LIFETIME = Duration.ZERO;
        public static final Duration DEFAULT_LIFETIME_JITTER = Duration.ZERO;
        /**
         * No connection caps (a node behind a proxy sees every client at the proxy's address), a 10 s request
         * deadline, no lifetime limit.
         */
        public static final LimitsConfig DEFAULT = new LimitsConfig(DEFAULT_MAX_CONNECTIONS,
                DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_HANDSHAKES_PER_IP_PER_SECOND, DEFAULT_REQUEST_TIMEOUT,
                DEFAULT_MAX_LIFETIME, DEFAULT_LIFETIME_JITTER);

        public LimitsConfig {
            nonNegative("maxConnections", maxConnections);
            nonNegative("maxConnectionsPerIp", maxConnectionsPerIp);
            nonNegative("handshakesPerIpPerSecond", handshakesPerIpPerSecond);
            positive("requestTimeout", requestTimeout);
            nonNegative("maxLifetime", maxLifetime);
            nonNegative("lifetimeJitter", lifetimeJitter);
            if (!maxLifetime.isZero() && lifetimeJitter.compareTo(maxLifetime) >= 0) {
                throw new IllegalArgumentException("lifetimeJitter: " + lifetimeJitter
                        + " (expected: < maxLifetime " + maxLifetime + ")");
            }
        }

        /** A copy with these connection caps. */
        public LimitsConfig withConnectionCaps(int max, int perIp, int handshakesPerIpPerSecond) {
            return new LimitsConfig(max, perIp, handshakesPerIpPerSecond, requestTimeout, maxLifetime, lifetimeJitter);
        }

        /** A copy with this request deadline. */
        public LimitsConfig withRequestTimeout(Duration timeout) {
            return new LimitsConfig(maxConnections, maxConnectionsPerIp, handshakesPerIpPerSecond, timeout,
                    maxLifetime, lifetimeJitter);
        }

        /** A copy with this lifetime and jitter. */
        public LimitsConfig withMaxLifetime(Duration lifetime, Duration jitter) {
            return new LimitsConfig(maxConnections, maxConnectionsPerIp, handshakesPerIpPerSecond, requestTimeout,
                    lifetime, jitter);
        }
    }

    private static void nonNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
        }
    }

    /**
     * TLS for every listener of the server: TLS 1.3 and 1.2 only, with AEAD cipher suites only (the transport
     * fixes both). The material is in memory; whoever reads it from files ({@code ServerMain}) passes the text.
     *
     * @param certificateChainPem the server's certificate first, then the intermediates, in PEM
     * @param privateKeyPem the certificate's private key, unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY})
     * @param provider which TLS implementation to use
     * @param handshakeTimeout connections that have not completed their handshake this long after connecting are
     *        closed (and counted)
     */
    public record TlsConfig(String certificateChainPem, String privateKeyPem, TlsProvider provider,
                            Duration handshakeTimeout) {

        public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

        public TlsConfig {
            Objects.requireNonNull(certificateChainPem, "certificateChainPem");
            Objects.requireNonNull(privateKeyPem, "privateKeyPem");
            Objects.requireNonNull(provider, "provider");
            positive("handshakeTimeout", handshakeTimeout);
            if (!certificateChainPem.contains("-----BEGIN CERTIFICATE-----")) {
                throw new IllegalArgumentException("certificateChainPem: no certificate (expected: PEM, "
                        + "-----BEGIN CERTIFICATE-----)");
            }
            if (!privateKeyPem.contains("PRIVATE KEY-----")) {
                throw new IllegalArgumentException("privateKeyPem: no private key (expected: PEM, "
                        + "-----BEGIN PRIVATE KEY-----)");
            }
        }

        /** With the default handshake timeout, the provider chosen automatically. */
        public static TlsConfig of(String certificateChainPem, String privateKeyPem) {
            return new TlsConfig(certificateChainPem, privateKeyPem, TlsProvider.AUTO, DEFAULT_HANDSHAKE_TIMEOUT);
        }

        /** Never the private key: configurations get printed and logged. */
        @Override
        public String toString() {
            return "TlsConfig[certificateChainPem=(" + certificateChainPem.length() + " chars), privateKeyPem=(secret), "
                    + "provider=" + provider + ", handshakeTimeout=" + handshakeTimeout + "]";
        }
    }

    /** The TLS implementation. */
    public enum TlsProvider {
        /** OpenSSL (BoringSSL, netty-tcnative) when it loads on this machine, else the JDK's. */
        AUTO,
        /** OpenSSL through netty-tcnative; the server does not start without it. */
        OPENSSL,
        /** The JDK's own (SunJSSE). */
        JDK
    }

    /**
     * How several nodes run as one service.
     *
     * @param reusePort whether the port is bound with {@code SO_REUSEPORT} (epoll and io_uring only), so several
     *        processes on one host share it and the kernel spreads connections over them
     * @param redis the Redis broker that joins the nodes, or {@code null} for the in-memory broker (one node)
     */
    public record ClusterConfig(boolean reusePort, io.fanwire.server.broker.RedisBroker.Config redis) {

        /** One node on its own port, with the in-memory broker. */
        public static final ClusterConfig NONE = new ClusterConfig(false, null);
    }

    /** What the server does with a subscriber that cannot keep up. */
    public enum SlowConsumerPolicy {
        /** Skip the subscriber for that publication and count it; the client sees a gap in {@code o} and can recover. */
        DROP,
        /** Close the connection with 1013 ("try again later"). */
        DISCONNECT
    }

    /**
     * Topics and their limits.
     *
     * @param maxSubscriptionsPerConnection subscriptions one connection may hold
     * @param maxTopics topics with subscribers this node may hold
     * @param maxTopicNameLength the longest topic name
     * @param historySize publications kept per topic for recovery (0: none)
     * @param historyTtl how long a publication stays in history
     * @param historyMemoryBytes the memory budget of all history; least recently used streams are evicted beyond it
     * @param presenceMaxMembers users one topic's presence may hold
     * @param presenceMaxDataBytes the largest presence data (as JSON)
     * @param slowConsumerPolicy what happens to a subscriber whose outbound buffer is above its high-water mark
     * @param subscribeByDefault whether a token without a {@code fanwire_topics} claim may subscribe to any topic
     * @param publishByDefault whether a token without a {@code fanwire_publish} claim may publish to any topic
     * @param slowConsumerOverrides per topic pattern, a policy other than {@code slowConsumerPolicy}; the first
     *        pattern that matches a topic wins
     */
    public record PubSubConfig(int maxSubscriptionsPerConnection, int maxTopics, int maxTopicNameLength,
                               int historySize, Duration historyTtl, long historyMemoryBytes,
                               int presenceMaxMembers, int presenceMaxDataBytes,
                               SlowConsumerPolicy slowConsumerPolicy, boolean subscribeByDefault,
                               boolean publishByDefault, List<PolicyOverride> slowConsumerOverrides) {

        /**
         * A slow-consumer policy for the topics matching {@code topicPattern} ({@code *} and {@code ?} globs).
         *
         * @param topicPattern the topics it applies to
         * @param policy the policy for them
         */
        public record PolicyOverride(String topicPattern, SlowConsumerPolicy policy) {
            public PolicyOverride {
                Objects.requireNonNull(topicPattern, "topicPattern");
                Objects.requireNonNull(policy, "policy");
                if (topicPattern.isEmpty()) {
                    throw new IllegalArgumentException("topicPattern: \"\" (expected: a topic pattern)");
                }
            }
        }

        /** Without per-topic overrides. */
        public PubSubConfig(int maxSubscriptionsPerConnection, int maxTopics, int maxTopicNameLength,
                            int historySize, Duration historyTtl, long historyMemoryBytes,
                            int presenceMaxMembers, int presenceMaxDataBytes,
                            SlowConsumerPolicy slowConsumerPolicy, boolean subscribeByDefault,
                            boolean publishByDefault) {
            this(maxSubscriptionsPerConnection, maxTopics, maxTopicNameLength, historySize, historyTtl,
                    historyMemoryBytes, presenceMaxMembers, presenceMaxDataBytes, slowConsumerPolicy,
                    subscribeByDefault, publishByDefault, List.of());
        }

        public static final int DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION = 128;
        public static final int DEFAULT_MAX_TOPICS = 100_000;
        public static final int DEFAULT_MAX_TOPIC_NAME_LENGTH = 255;
        public static final int DEFAULT_HISTORY_SIZE = 100;
        public static final Duration DEFAULT_HISTORY_TTL = Duration.ofMinutes(5);
        public static final long DEFAULT_HISTORY_MEMORY_BYTES = 64L * 1024 * 1024;
        public static final int DEFAULT_PRESENCE_MAX_MEMBERS = 10_000;
        public static final int DEFAULT_PRESENCE_MAX_DATA_BYTES = 1024;
        public static final PubSubConfig DEFAULT = new PubSubConfig(DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION,
                DEFAULT_MAX_TOPICS, DEFAULT_MAX_TOPIC_NAME_LENGTH, DEFAULT_HISTORY_SIZE, DEFAULT_HISTORY_TTL,
                DEFAULT_HISTORY_MEMORY_BYTES, DEFAULT_PRESENCE_MAX_MEMBERS, DEFAULT_PRESENCE_MAX_DATA_BYTES,
                SlowConsumerPolicy.DROP, true, false);

        public PubSubConfig {
            positive("maxSubscriptionsPerConnection", maxSubscriptionsPerConnection);
            positive("maxTopics", maxTopics);
            positive("maxTopicNameLength", maxTopicNameLength);
            nonNegative("historySize", historySize);
            positive("historyTtl", historyTtl);
            if (historyMemoryBytes < 64 * 1024) {
                throw new IllegalArgumentException("historyMemoryBytes: " + historyMemoryBytes + " (expected: >= 65536)");
            }
            positive("presenceMaxMembers", presenceMaxMembers);
            positive("presenceMaxDataBytes", presenceMaxDataBytes);
            Objects.requireNonNull(slowConsumerPolicy, "slowConsumerPolicy");
            slowConsumerOverrides = List.copyOf(slowConsumerOverrides);
        }

        /** A copy with {@code policy}. */
        public PubSubConfig withSlowConsumerPolicy(SlowConsumerPolicy policy) {
            return new PubSubConfig(maxSubscriptionsPerConnection, maxTopics, maxTopicNameLength, historySize,
                    historyTtl, historyMemoryBytes, presenceMaxMembers, presenceMaxDataBytes, policy,
                    subscribeByDefault, publishByDefault, slowConsumerOverrides);
        }

        /** A copy with these per-topic slow-consumer policies. */
        public PubSubConfig withSlowConsumerOverrides(List<PolicyOverride> overrides) {
            return new PubSubConfig(maxSubscriptionsPerConnection, maxTopics, maxTopicNameLength, historySize,
                    historyTtl, historyMemoryBytes, presenceMaxMembers, presenceMaxDataBytes, slowConsumerPolicy,
                    subscribeByDefault, publishByDefault, overrides);
        }

        /** A copy with client publishing allowed (or not) for tokens without a publish claim. */
        public PubSubConfig withPublishByDefault(boolean allowed) {
            return new PubSubConfig(maxSubscriptionsPerConnection, maxTopics, maxTopicNameLength, historySize,
                    historyTtl, historyMemoryBytes, presenceMaxMembers, presenceMaxDataBytes, slowConsumerPolicy,
                    subscribeByDefault, allowed, slowConsumerOverrides);
        }
    }

    /** Builds a {@link ServerConfig}. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private TransportKind transport = TransportKind.AUTO;
        private int ioThreads;
        private int backlog = DEFAULT_BACKLOG;
        private boolean tcpNoDelay = true;
        private int writeBufferLowWaterBytes = DEFAULT_WRITE_BUFFER_LOW_WATER_BYTES;
        private int writeBufferHighWaterBytes = DEFAULT_WRITE_BUFFER_HIGH_WATER_BYTES;
        private List<String> webSocketPaths = DEFAULT_WEBSOCKET_PATHS;
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private int maxHttpBodyBytes = DEFAULT_MAX_HTTP_BODY_BYTES;
        private int maxHttpHeaderBytes = DEFAULT_MAX_HTTP_HEADER_BYTES;
        private int maxHttpInitialLineBytes = DEFAULT_MAX_HTTP_INITIAL_LINE_BYTES;
        private JsonFrames jsonFrames = JsonFrames.TEXT;
        private Duration pingInterval = DEFAULT_PING_INTERVAL;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private int compressionThreshold = DEFAULT_COMPRESSION_THRESHOLD;
        private AuthConfig auth;
        private DrainConfig drain = DrainConfig.DEFAULT;
        private PubSubConfig pubsub = PubSubConfig.DEFAULT;
        private String apiKey;
        private String apiHost = DEFAULT_API_HOST;
        private int apiPort = DEFAULT_API_PORT;
        private String nodeId;
        private Duration shutdownQuietPeriod = DEFAULT_SHUTDOWN_QUIET_PERIOD;
        private MetricsConfig metrics = MetricsConfig.DEFAULT;
        private double maxHeapRatio = DEFAULT_MAX_HEAP_RATIO;
        private RateLimitConfig rateLimit = RateLimitConfig.DEFAULT;
        private ShutdownConfig shutdown = ShutdownConfig.DEFAULT;
        private LimitsConfig limits = LimitsConfig.DEFAULT;
        private TlsConfig tls;
        private ClusterConfig cluster = ClusterConfig.NONE;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder transport(TransportKind transport) {
            this.transport = transport;
            return this;
        }

        public Builder ioThreads(int ioThreads) {
            this.ioThreads = ioThreads;
            return this;
        }

        public Builder backlog(int backlog) {
            this.backlog = backlog;
            return this;
        }

        public Builder tcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
            return this;
        }

        public Builder writeBufferWaterMarks(int lowBytes, int highBytes) {
            this.writeBufferLowWaterBytes = lowBytes;
            this.writeBufferHighWaterBytes = highBytes;
            return this;
        }

        public Builder webSocketPaths(List<String> webSocketPaths) {
            this.webSocketPaths = webSocketPaths;
            return this;
        }

        public Builder maxFrameBytes(int maxFrameBytes) {
            this.maxFrameBytes = maxFrameBytes;
            return this;
        }

        public Builder maxMessageBytes(int maxMessageBytes) {
            this.maxMessageBytes = maxMessageBytes;
            return this;
        }

        public Builder maxHttpBodyBytes(int maxHttpBodyBytes) {
            this.maxHttpBodyBytes = maxHttpBodyBytes;
            return this;
        }

        public Builder maxHttpHeaderBytes(int maxHttpHeaderBytes) {
            this.maxHttpHeaderBytes = maxHttpHeaderBytes;
            return this;
        }

        public Builder maxHttpInitialLineBytes(int maxHttpInitialLineBytes) {
            this.maxHttpInitialLineBytes = maxHttpInitialLineBytes;
            return this;
        }

        public Builder jsonFrames(JsonFrames jsonFrames) {
            this.jsonFrames = jsonFrames;
            return this;
        }

        public Builder pingInterval(Duration pingInterval) {
            this.pingInterval = pingInterval;
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        public Builder compressionThreshold(int compressionThreshold) {
            this.compressionThreshold = compressionThreshold;
            return this;
        }

        public Builder auth(AuthConfig auth) {
            this.auth = auth;
            return this;
        }

        public Builder drain(DrainConfig drain) {
            this.drain = drain;
            return this;
        }

        public Builder pubsub(PubSubConfig pubsub) {
            this.pubsub = pubsub;
            return this;
        }

        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        public Builder apiHost(String apiHost) {
            this.apiHost = apiHost;
            return this;
        }

        /**
         * The server API's own port; 0 picks a free one, {@link ServerConfig#NO_API_PORT} (the default) serves the
         * API on the main port.
         */
        public Builder apiPort(int apiPort) {
            this.apiPort = apiPort;
            return this;
        }

        public Builder nodeId(String nodeId) {
            this.nodeId = nodeId;
            return this;
        }

        public Builder shutdownQuietPeriod(Duration shutdownQuietPeriod) {
            this.shutdownQuietPeriod = shutdownQuietPeriod;
            return this;
        }

        public Builder metrics(MetricsConfig metrics) {
            this.metrics = metrics;
            return this;
        }

        /** The heap budget of {@code /health/ready}: a ratio of the maximum heap, 0 to disable. */
        public Builder maxHeapRatio(double maxHeapRatio) {
            this.maxHeapRatio = maxHeapRatio;
            return this;
        }

        /** Per-connection message and control-frame budgets; {@link RateLimitConfig#UNLIMITED} switches them off. */
        public Builder rateLimit(RateLimitConfig rateLimit) {
            this.rateLimit = rateLimit;
            return this;
        }

        /** How a graceful drain closes connections and how long it may take. */
        public Builder shutdown(ShutdownConfig shutdown) {
            this.shutdown = shutdown;
            return this;
        }

        /** Connection limits before the upgrade, and the maximum connection lifetime. */
        public Builder limits(LimitsConfig limits) {
            this.limits = limits;
            return this;
        }

        /** TLS on every listener ({@code wss://}, {@code https://}); {@code null} (the default): plain TCP. */
        public Builder tls(TlsConfig tls) {
            this.tls = tls;
            return this;
        }

        /** How this node joins others (default: on its own, in-memory broker). */
        public Builder cluster(ClusterConfig cluster) {
            this.cluster = cluster;
            return this;
        }

        /**
         * @throws IllegalArgumentException when a setting is out of range
         * @throws NullPointerException when authentication was not set (use {@link AuthConfig#disabled()} explicitly)
         */
        public ServerConfig build() {
            String node = nodeId != null ? nodeId
                    : "node-" + Long.toHexString(Uuid7.next().getLeastSignificantBits()).substring(0, 8);
            return new ServerConfig(host, port, transport, ioThreads, backlog, tcpNoDelay, writeBufferLowWaterBytes,
                    writeBufferHighWaterBytes, webSocketPaths, maxFrameBytes, maxMessageBytes, maxHttpBodyBytes,
                    maxHttpHeaderBytes, maxHttpInitialLineBytes, jsonFrames, pingInterval, idleTimeout,
                    compressionThreshold, Objects.requireNonNull(auth, "auth (set AuthConfig.jwt(...) or AuthConfig.disabled())"),
                    drain, pubsub, apiKey, apiHost, apiPort, node, shutdownQuietPeriod, metrics, maxHeapRatio,
                    rateLimit, shutdown, limits, tls, cluster);
        }
    }
}
