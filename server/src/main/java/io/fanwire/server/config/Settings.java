package io.fanwire.server.config;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fanwire.common.jwt.JwtAlgorithm;
import io.fanwire.common.jwt.JwtVerifierConfig;
import io.fanwire.server.ServerConfig;
import io.fanwire.server.broker.RedisBroker;
import io.fanwire.server.ServerConfig.DrainConfig;
import io.fanwire.server.ServerConfig.PubSubConfig;
import io.fanwire.server.ServerConfig.RateLimitConfig;
import io.fanwire.server.transport.TransportKind;

/**
 * The table of standalone settings. Each has a dotted key ({@code websocket.ping_interval}) used in YAML
 * files (nested or flat), as {@code FANWIRE_WEBSOCKET_PING_INTERVAL} in the environment and as
 * {@code --set websocket.ping_interval=10s} on the command line. Later sources win: defaults, file,
 * environment, flags.
 */
public final class Settings {

    /** The prefix of environment variables. */
    public static final String ENV_PREFIX = "FANWIRE_";

    /**
     * One setting.
     *
     * @param key the dotted key
     * @param defaultValue the default, as text
     * @param description what it does
     * @param apply parses a value onto a draft
     * @param secret whether the value is a secret, masked wherever settings are shown ({@code --print-config})
     */
    public record Setting(String key, String defaultValue, String description, BiConsumer<ConfigDraft, String> apply,
                          boolean secret) {

        /** The environment variable of this setting. */
        public String envName() {
            return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
        }
    }

    /**
     * Variables read by the launcher and the logging configuration (which is set up before any setting is read),
     * not settings; and the build's, which CI exports (FANWIRE_REQUIRE_PROMETHEUS makes the Prometheus test fail,
     * not skip, without the tools).
     */
    private static final java.util.Set<String> LAUNCHER_VARIABLES = java.util.Set.of("FANWIRE_JAVA_HOME",
            "FANWIRE_JAVA_OPTS", "FANWIRE_LOG_LEVEL", "FANWIRE_LOG_FORMAT", "FANWIRE_REQUIRE_PROMETHEUS");

    private static final List<Setting> ALL = List.of(
            s("host", ServerConfig.DEFAULT_HOST, "Address to bind (development mode: 127.0.0.1 unless set).",
                    (d, v) -> {
                        d.host = v;
                        d.hostConfigured = true;
                    }),
            s("port", ServerConfig.DEFAULT_PORT, "Port to bind (0: any free port).", (d, v) -> d.port = integer(v)),
            s("transport", "auto", "I/O transport: auto, epoll, io_uring, kqueue or nio.",
                    (d, v) -> d.server.transport(enumValue(TransportKind.class, v))),
            s("io_threads", 0, "Event loop threads (0: one per CPU).", (d, v) -> d.server.ioThreads(integer(v))),
            s("backlog", ServerConfig.DEFAULT_BACKLOG, "TCP accept backlog.", (d, v) -> d.server.backlog(integer(v))),
            s("tcp_nodelay", true, "Disable Nagle's algorithm on connections.",
                    (d, v) -> d.server.tcpNoDelay(bool(v))),
            s("write_buffer.low_bytes", ServerConfig.DEFAULT_WRITE_BUFFER_LOW_WATER_BYTES,
                    "A connection is writable again below this many queued outbound bytes.",
                    (d, v) -> d.writeLow = bytes(v)),
            s("write_buffer.high_bytes", ServerConfig.DEFAULT_WRITE_BUFFER_HIGH_WATER_BYTES,
                    "A connection turns unwritable above this many queued outbound bytes.",
                    (d, v) -> d.writeHigh = bytes(v)),
            s("websocket.paths", String.join(",", ServerConfig.DEFAULT_WEBSOCKET_PATHS),
                    "Comma-separated paths that upgrade to WebSocket.",
                    (d, v) -> d.server.webSocketPaths(Arrays.stream(v.split(",")).map(String::trim)
                            .filter(p -> !p.isEmpty()).toList())),
            s("websocket.max_frame_bytes", ServerConfig.DEFAULT_MAX_FRAME_BYTES,
                    "Largest WebSocket frame payload (larger: close 1009).", (d, v) -> d.server.maxFrameBytes(bytes(v))),
            s("websocket.max_message_bytes", ServerConfig.DEFAULT_MAX_MESSAGE_BYTES,
                    "Largest message after joining fragments and decompressing (larger: close 1009).",
                    (d, v) -> d.server.maxMessageBytes(bytes(v))),
            s("websocket.json_frames", "text", "Frame type of outbound JSON: text or binary.",
                    (d, v) -> d.server.jsonFrames(enumValue(ServerConfig.JsonFrames.class, v))),
            s("websocket.ping_interval", "25s", "How often the server pings each connection.",
                    (d, v) -> d.server.pingInterval(duration(v))),
            s("websocket.idle_timeout", "60s", "Connections silent this long are closed (1000 \"idle\").",
                    (d, v) -> d.server.idleTimeout(duration(v))),
            s("websocket.compression_threshold", ServerConfig.DEFAULT_COMPRESSION_THRESHOLD,
                    "JSON messages above this many bytes go out compressed (C:) to clients that ask; 0: never.",
                    (d, v) -> d.server.compressionThreshold(bytes(v))),
            s("http.max_body_bytes", ServerConfig.DEFAULT_MAX_HTTP_BODY_BYTES, "Largest HTTP request body.",
                    (d, v) -> d.server.maxHttpBodyBytes(bytes(v))),
            s("http.max_header_bytes", ServerConfig.DEFAULT_MAX_HTTP_HEADER_BYTES, "Largest HTTP header block.",
                    (d, v) -> d.server.maxHttpHeaderBytes(bytes(v))),
            s("http.max_initial_line_bytes", ServerConfig.DEFAULT_MAX_HTTP_INITIAL_LINE_BYTES,
                    "Longest HTTP request line.", (d, v) -> d.server.maxHttpInitialLineBytes(bytes(v))),
            s("auth.enabled", true, "Require a JWT to connect. false only for conformance test runs.",
                    (d, v) -> d.authEnabled = bool(v)),
            s("auth.jwt.algorithm", "HS256", "HS256, HS384, HS512, RS256 or ES256; tokens with another alg fail.",
                    (d, v) -> d.jwtAlgorithm = enumValue(JwtAlgorithm.class, v)),
            secret("auth.jwt.secret", "HMAC secret: text, or base64:<bytes>. Unset: development mode mints its own.",
                    (d, v) -> d.jwtSecret = blankToNull(v)),
            secret("auth.jwt.previous_secret", "The previous HMAC secret, still accepted during a rotation.",
                    (d, v) -> d.jwtPreviousSecret = blankToNull(v)),
            s("auth.jwt.public_key", "", "RS256/ES256 public key: PEM text or a file path.",
                    (d, v) -> d.jwtPublicKey = blankToNull(v)),
            s("auth.jwt.previous_public_key", "", "The previous public key, still accepted during a rotation.",
                    (d, v) -> d.jwtPreviousPublicKey = blankToNull(v)),
            s("auth.jwt.issuer", "", "Required iss claim (unset: any).", (d, v) -> d.jwtIssuer = blankToNull(v)),
            s("auth.jwt.audience", "", "Required aud claim (unset: any).", (d, v) -> d.jwtAudience = blankToNull(v)),
            s("auth.jwt.leeway", "30s", "Clock skew tolerated on exp and nbf.", (d, v) -> d.jwtLeeway = duration(v)),
            s("auth.jwt.max_token_bytes", JwtVerifierConfig.DEFAULT_MAX_TOKEN_BYTES,
                    "Longer tokens are refused before parsing.", (d, v) -> d.jwtMaxTokenBytes = bytes(v)),
            s("auth.jwks.url", "", "A JWKS URL to fetch RS256/ES256 verification keys from, by kid (besides or instead of "
                    + "auth.jwt.public_key).", (d, v) -> d.jwksUrl = blankToNull(v)),
            s("auth.jwks.refresh_interval", "5m", "How often the key set is fetched again.",
                    (d, v) -> d.jwksRefreshInterval = duration(v)),
            s("auth.jwks.min_refresh_interval", "30s",
                    "Shortest time between two fetches asked for by tokens with an unknown kid.",
                    (d, v) -> d.jwksMinRefreshInterval = duration(v)),
            s("auth.jwks.timeout", "5s", "How long one key set fetch may take.", (d, v) -> d.jwksTimeout = duration(v)),
            s("auth.cookie_name", ServerConfig.AuthConfig.DEFAULT_COOKIE_NAME, "Cookie that may carry the token.",
                    (d, v) -> d.cookieName = v),
            s("auth.query_token", false, "Accept ?token= (leaks into proxy logs).", (d, v) -> d.queryToken = bool(v)),
            s("auth.subprotocol", ServerConfig.AuthConfig.DEFAULT_SUBPROTOCOL,
                    "Subprotocol selected for clients that send bearer.<token>.", (d, v) -> d.subprotocol = v),
            s("auth.allowed_origins", "",
                    "Comma-separated Origin values browsers may connect from (exact); others get 403. Unset: any, "
                            + "but cookie tokens only from the server's own origin.",
                    (d, v) -> d.allowedOrigins = Arrays.stream(v.split(",")).map(String::trim)
                            .filter(o -> !o.isEmpty()).toList()),
            s("auth.token_expiry_warning", "60s",
                    "How long before a token's exp the connection is sent token_expiring; without a refresh it is "
                            + "closed with 4401 at exp plus the leeway.",
                    (d, v) -> d.tokenExpiryWarning = duration(v)),
            s("rate_limit.capacity", RateLimitConfig.DEFAULT_MESSAGE_CAPACITY,
                    "Messages a connection may send in a burst (token bucket size); 0: no message limit.",
                    (d, v) -> d.rateCapacity = integer(v)),
            s("rate_limit.refill", "20",
                    "Messages per second added back to each connection's budget (the sustained rate).",
                    (d, v) -> d.rateRefill = positiveNumber(v)),
            s("rate_limit.control_capacity", RateLimitConfig.DEFAULT_CONTROL_CAPACITY,
                    "WebSocket ping and pong frames a connection may send in a burst; pings beyond are not "
                            + "answered. 0: no control-frame limit.", (d, v) -> d.controlCapacity = integer(v)),
            s("rate_limit.control_refill", "2",
                    "Control frames per second added back to each connection's budget.",
                    (d, v) -> d.controlRefill = positiveNumber(v)),
            s("rate_limit.max_violations", RateLimitConfig.DEFAULT_MAX_VIOLATIONS,
                    "Messages and control frames over budget tolerated within rate_limit.violation_window; one more "
                            + "closes the connection with 1008.", (d, v) -> d.maxViolations = integer(v)),
            s("rate_limit.violation_window", "10s", "The window rate_limit.max_violations is counted in.",
                    (d, v) -> d.violationWindow = duration(v)),
            s("drain.high_water", DrainConfig.DEFAULT_HIGH_WATER_EVENTS,
                    "Pending inbound events above which the server stops reading sockets.",
                    (d, v) -> d.drainHighWater = integer(v)),
            s("drain.low_water", DrainConfig.DEFAULT_LOW_WATER_EVENTS, "Pending events at which reading resumes.",
                    (d, v) -> d.drainLowWater = integer(v)),
            s("drain.capacity", DrainConfig.DEFAULT_CAPACITY_EVENTS,
                    "Messages beyond this many pending events are refused with an error (counted).",
                    (d, v) -> d.drainCapacity = integer(v)),
            s("topics.max_subscriptions_per_connection", PubSubConfig.DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION,
                    "Subscriptions one connection may hold (more: LIMIT_EXCEEDED).",
                    (d, v) -> d.maxSubscriptionsPerConnection = integer(v)),
            s("topics.max_topics", PubSubConfig.DEFAULT_MAX_TOPICS, "Topics with subscribers this node may hold.",
                    (d, v) -> d.maxTopics = integer(v)),
            s("topics.max_name_length", PubSubConfig.DEFAULT_MAX_TOPIC_NAME_LENGTH, "Longest topic name.",
                    (d, v) -> d.maxTopicNameLength = integer(v)),
            s("topics.slow_consumer_policy", "drop",
                    "A subscriber whose outbound buffer is full: drop (skip and count; the client sees the gap) "
                            + "or disconnect (close 1013).",
                    (d, v) -> d.slowConsumerPolicy = enumValue(ServerConfig.SlowConsumerPolicy.class, v)),
            s("topics.slow_consumer_overrides", "",
                    "Per-topic policies, first match wins: pattern=policy,... (e.g. trades.*=disconnect).",
                    (d, v) -> d.slowConsumerOverrides = policyOverrides(v)),
            s("topics.subscribe_by_default", true,
                    "Whether a token without a fanwire_topics claim may subscribe to any topic.",
                    (d, v) -> d.subscribeByDefault = bool(v)),
            s("topics.publish_by_default", false,
                    "Whether a token without a fanwire_publish claim may publish to any topic.",
                    (d, v) -> d.publishByDefault = bool(v)),
            s("history.size", PubSubConfig.DEFAULT_HISTORY_SIZE, "Publications kept per topic for recovery (0: none).",
                    (d, v) -> d.historySize = integer(v)),
            s("history.ttl", "5m", "How long a publication stays in history.", (d, v) -> d.historyTtl = duration(v)),
            s("history.memory_bytes", "64MiB",
                    "Memory budget of all history; least recently used streams are evicted beyond it.",
                    (d, v) -> d.historyMemoryBytes = bytes(v)),
            s("presence.max_members", PubSubConfig.DEFAULT_PRESENCE_MAX_MEMBERS, "Users one topic's presence may hold.",
                    (d, v) -> d.presenceMaxMembers = integer(v)),
            s("presence.max_data_bytes", PubSubConfig.DEFAULT_PRESENCE_MAX_DATA_BYTES, "Largest presence data (JSON).",
                    (d, v) -> d.presenceMaxDataBytes = bytes(v)),
            s("drain.high_water_bytes", "32MiB",
                    "Pending message bytes above which the server stops reading sockets (resumes at a quarter; "
                            + "refuses messages beyond four times).", (d, v) -> d.drainHighWaterBytes = bytes(v)),
            secret("api.key", "Key of the HTTP server API (/api/*); unset: API off (development mode mints one).",
                    (d, v) -> d.apiKey = blankToNull(v)),
            s("api.port", 0, "A port of its own for the server API (/api/*), which the main port then answers 404; "
                    + "0: the API is served on the main port.", (d, v) -> d.server.apiPort(apiPort(integer(v)))),
            s("api.host", ServerConfig.DEFAULT_API_HOST, "Address the server API's own port binds to (with api.port).",
                    (d, v) -> d.server.apiHost(v)),
            s("metrics.enabled", ServerConfig.MetricsConfig.DEFAULT_ENABLED,
                    "Serve Prometheus metrics on GET /metrics (on api.port when set, else the main port).",
                    (d, v) -> d.metricsEnabled = bool(v)),
            s("metrics.require_api_key", ServerConfig.MetricsConfig.DEFAULT_REQUIRE_API_KEY,
                    "Require the API key (as for /api/*) on /metrics.", (d, v) -> d.metricsRequireApiKey = bool(v)),
            s("health.max_heap_ratio", ServerConfig.DEFAULT_MAX_HEAP_RATIO,
                    "/health/ready answers 503 while the heap after the last GC is above this ratio of the "
                            + "maximum heap; 0 disables.", (d, v) -> d.server.maxHeapRatio(ratio(v))),
            s("shutdown.timeout", "30s", "How long a graceful drain may take; what is still open then is closed with 1001.",
                    (d, v) -> d.shutdownTimeout = duration(v)),
            s("shutdown.close_rate", ServerConfig.ShutdownConfig.DEFAULT_CLOSES_PER_SECOND,
                    "Connections closed with 4300 per second during a drain.", (d, v) -> d.shutdownCloseRate = integer(v)),
            s("shutdown.retry_after", "1s", "Least retry_after_ms told to clients closed by a drain or their lifetime.",
                    (d, v) -> d.shutdownRetryAfter = duration(v)),
            s("shutdown.retry_jitter", "4s", "Most added at random to shutdown.retry_after, per connection.",
                    (d, v) -> d.shutdownRetryJitter = duration(v)),
            s("limits.max_connections", ServerConfig.LimitsConfig.DEFAULT_MAX_CONNECTIONS,
                    "WebSocket connections this node holds at most; more get 503 + Retry-After (0: no cap).",
                    (d, v) -> d.maxConnections = integer(v)),
            s("limits.max_connections_per_ip", ServerConfig.LimitsConfig.DEFAULT_MAX_CONNECTIONS_PER_IP,
                    "WebSocket connections one client address may hold; more get 429 (0: no cap).",
                    (d, v) -> d.maxConnectionsPerIp = integer(v)),
            s("limits.handshake_rate_per_ip", ServerConfig.LimitsConfig.DEFAULT_HANDSHAKES_PER_IP_PER_SECOND,
                    "Upgrade requests per second (and burst) one client address may make; more get 429 (0: no limit).",
                    (d, v) -> d.handshakesPerIpPerSecond = integer(v)),
            s("limits.request_timeout", "10s",
                    "A connection must send a complete HTTP request this long after opening, else 408 and closed "
                            + "(idle keep-alive connections: closed).", (d, v) -> d.requestTimeout = duration(v)),
            s("limits.max_lifetime", "0s",
                    "Connections older than this are closed with 4300 and a retry hint, to rebalance nodes (0s: never).",
                    (d, v) -> d.maxLifetime = duration(v)),
            s("limits.lifetime_jitter", "0s", "Each connection's lifetime is limits.max_lifetime plus or minus up to this.",
                    (d, v) -> d.lifetimeJitter = duration(v)),
            s("tls.certificate_chain", "", "TLS certificate chain in PEM, the server's certificate first: a file "
                    + "path or PEM text. With tls.private_key: wss:// and https:// on every port; unset: plain.",
                    (d, v) -> d.tlsCertificateChain = blankToNull(v)),
            secret("tls.private_key", "The certificate's private key, unencrypted PKCS#8 PEM: a file path or PEM text.",
                    (d, v) -> d.tlsPrivateKey = blankToNull(v)),
            s("tls.provider", "auto", "TLS implementation: auto (OpenSSL when it loads, else the JDK's), openssl or "
                    + "jdk; logged at start.", (d, v) -> d.tlsProvider = enumValue(ServerConfig.TlsProvider.class, v)),
            s("tls.handshake_timeout", "10s", "Connections that have not completed the TLS handshake this long after "
                    + "connecting are closed (counted).", (d, v) -> d.tlsHandshakeTimeout = duration(v)),
            s("node.id", "", "This node's id (unset: random).", (d, v) -> d.server.nodeId(blankToNull(v))),
            s("reuse_port", false, "Bind the port with SO_REUSEPORT (epoll, io_uring) so several nodes on one host "
                    + "share it.", (d, v) -> d.reusePort = bool(v)),
            s("broker", "memory", "Broker of publications: memory (this node only) or redis (nodes joined by Redis).",
                    (d, v) -> d.broker = oneOf(v, "memory", "redis")),
            s("redis.uri", "redis://127.0.0.1:6379", "Redis to join (broker: redis): redis://[:password@]host:port[/db], "
                    + "rediss:// for TLS.", (d, v) -> d.redisUri = RedisBroker.Config.of(v).uri()),
            s("redis.key_prefix", RedisBroker.Config.DEFAULT_KEY_PREFIX, "Prefix of Fanwire's keys and channels in Redis.",
                    (d, v) -> d.redisKeyPrefix = v),
            s("redis.max_pending_publishes", RedisBroker.Config.DEFAULT_MAX_PENDING_PUBLISHES,
                    "Publications that may wait for Redis's answer; more are refused (counted).",
                    (d, v) -> d.redisMaxPending = positive(integer(v))),
            s("redis.command_timeout", "2s", "How long a Redis command may take before it fails.",
                    (d, v) -> d.redisCommandTimeout = positive(duration(v))),
            s("redis.stream_ttl", "24h", "How long a quiet topic keeps its epoch and offset in Redis.",
                    (d, v) -> d.redisStreamTtl = positive(duration(v))),
            s("app.mode", "echo", "Built-in application of the standalone server: echo, count or none.",
                    (d, v) -> d.appMode = oneOf(v, "echo", "count", "none")),
            s("app.dispatch", "drain", "How the built-in application takes events: drain (batches from the drain "
                    + "queue on a thread of its own) or loop (callback mode on the event loop, no thread hop).",
                    (d, v) -> d.appDispatch = oneOf(v, "drain", "loop")));

    private Settings() {
    }

    /** Every setting, in documentation order. */
    public static List<Setting> all() {
        return ALL;
    }

    /**
     * Applies {@code values} (dotted key → text) in order onto {@code draft}.
     *
     * @throws IllegalArgumentException naming the setting and source when a key is unknown or a value invalid
     */
    public static void apply(ConfigDraft draft, Map<String, String> values, String source) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            Setting setting = find(e.getKey());
            if (setting == null) {
                throw new IllegalArgumentException(source + ": unknown setting '" + e.getKey()
                        + "' (fanwire server --list-settings shows them all)");
            }
            try {
                setting.apply().accept(draft, e.getValue().trim());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(source + ": " + e.getKey() + ": " + ex.getMessage(), ex);
            }
            draft.record(e.getKey(), e.getValue().trim(), source);
        }
    }

    /** The settings in a YAML file, nested maps flattened to dotted keys. */
    public static Map<String, String> fromYaml(Path file) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        Map<String, String> out = new LinkedHashMap<>();
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            if (!root.isObject()) {
                throw new IllegalArgumentException(file + ": expected a mapping of settings at the top level");
            }
            flatten("", root, out);
        }
        return out;
    }

    /** The settings among environment variables ({@code FANWIRE_*} with a known setting's name). */
    public static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Setting setting : ALL) {
            String value = env.get(setting.envName());
            if (value != null) {
                out.put(setting.key(), value);
            }
        }
        return out;
    }

    /** Environment variables that look like settings but match none (typos). */
    public static List<String> unknownEnvironment(Map<String, String> env) {
        List<String> unknown = new ArrayList<>();
        for (String name : env.keySet()) {
            if (name.startsWith(ENV_PREFIX) && ALL.stream().noneMatch(s -> s.envName().equals(name))
                    && !LAUNCHER_VARIABLES.contains(name)) {
                unknown.add(name);
            }
        }
        return unknown;
    }

    /** {@code key=value} assignments from the command line. */
    public static Map<String, String> fromAssignments(List<String> assignments) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set " + a + " (expected: key=value)");
            }
            out.put(a.substring(0, eq).trim(), a.substring(eq + 1));
        }
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        for (Map.Entry<String, JsonNode> f : node.properties()) {
            String key = prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey();
            JsonNode value = f.getValue();
            if (value.isObject()) {
                flatten(key, value, out);
            } else if (value.isArray()) {
                List<String> items = new ArrayList<>();
                value.forEach(item -> items.add(item.asText()));
                out.put(key, String.join(",", items));
            } else if (!value.isNull()) {
                out.put(key, value.asText());
            }
        }
    }

    /**
     * The effective settings of {@code draft}, one {@code key: value} line each, in documentation order, with the
     * source of the value in a comment; secrets are masked. The lines are YAML, so they can seed a file.
     */
    public static List<String> describe(ConfigDraft draft) {
        List<String> lines = new ArrayList<>();
        for (Setting setting : ALL) {
            ConfigDraft.Recorded recorded = draft.recorded(setting.key());
            String value = recorded != null ? recorded.value() : setting.defaultValue();
            String source = recorded != null ? recorded.source() : "default";
            String shown = value.isEmpty() ? "" : setting.secret() ? "'<secret>'" : yamlScalar(maskUriPassword(value));
            lines.add(setting.key() + ": " + shown + "  # " + source);
        }
        return lines;
    }

    /**
     * {@code value} with the password of a URI's user info replaced ({@code redis://:pw@host} becomes
     * {@code redis://:<secret>@host}), so that connection URIs can be printed.
     */
    static String maskUriPassword(String value) {
        int scheme = value.indexOf("://");
        if (scheme < 0) {
            return value;
        }
        int at = value.indexOf('@', scheme + 3);
        int slash = value.indexOf('/', scheme + 3);
        if (at < 0 || (slash >= 0 && slash < at)) {
            return value;
        }
        int colon = value.indexOf(':', scheme + 3);
        if (colon < 0 || colon > at) {
            return value.substring(0, scheme + 3) + "<secret>" + value.substring(at);
        }
        return value.substring(0, colon + 1) + "<secret>" + value.substring(at);
    }

    /** {@code value} as a YAML scalar: bare when that reads back the same, else single-quoted. */
    private static String yamlScalar(String value) {
        if (value.matches("[A-Za-z0-9_./@=+,-][A-Za-z0-9_./@=+,:* -]*") && !value.endsWith(" ")
                && !value.contains(": ") && !value.contains(" #")) {
            return value;
        }
        return "'" + value.replace("'", "''").replace("\n", " ").replace("\r", " ") + "'";
    }

    private static Setting find(String key) {
        for (Setting setting : ALL) {
            if (setting.key().equals(key)) {
                return setting;
            }
        }
        return null;
    }

    private static Setting s(String key, Object defaultValue, String description, BiConsumer<ConfigDraft, String> apply) {
        return new Setting(key, String.valueOf(defaultValue), description, apply, false);
    }

    /** A setting without a default whose value is never shown. */
    private static Setting secret(String key, String description, BiConsumer<ConfigDraft, String> apply) {
        return new Setting(key, "", description, apply, true);
    }

    static List<PubSubConfig.PolicyOverride> policyOverrides(String v) {
        List<PubSubConfig.PolicyOverride> out = new ArrayList<>();
        for (String item : v.split(",")) {
            String t = item.trim();
            if (t.isEmpty()) {
                continue;
            }
            int eq = t.lastIndexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + t + "' (expected: pattern=drop or pattern=disconnect)");
            }
            out.add(new PubSubConfig.PolicyOverride(t.substring(0, eq).trim(),
                    enumValue(ServerConfig.SlowConsumerPolicy.class, t.substring(eq + 1).trim())));
        }
        return out;
    }

    private static int positive(int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(value + " (expected: > 0)");
        }
        return value;
    }

    private static Duration positive(Duration value) {
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(value + " (expected: > 0)");
        }
        return value;
    }

    static int integer(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + v + "' is not a whole number", e);
        }
    }

    /** A byte size: a whole number, optionally with KiB, MiB or GiB. */
    static int bytes(String v) {
        String t = v.trim();
        long unit = 1;
        for (String[] suffix : new String[][] {{"KiB", "1024"}, {"MiB", "1048576"}, {"GiB", "1073741824"}}) {
            if (t.endsWith(suffix[0])) {
                unit = Long.parseLong(suffix[1]);
                t = t.substring(0, t.length() - suffix[0].length()).trim();
                break;
            }
        }
        long n;
        try {
            n = Long.parseLong(t) * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + v + "' is not a size (expected: 65536, 64KiB, 1MiB)", e);
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + v + "' is too large (expected: < 2GiB)");
        }
        return (int) n;
    }

    /** {@code api.port}: 0 means no port of its own, which the configuration spells {@link ServerConfig#NO_API_PORT}. */
    private static int apiPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(port + " (expected: 1-65535, or 0 to serve the API on the main port)");
        }
        return port == 0 ? ServerConfig.NO_API_PORT : port;
    }

    /** A number above 0, such as {@code 20} or {@code 0.5}. */
    static double positiveNumber(String v) {
        double value;
        try {
            value = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + v + "' is not a number (expected: > 0, such as 20 or 0.5)", e);
        }
        if (!(value > 0 && Double.isFinite(value))) {
            throw new IllegalArgumentException(v + " (expected: > 0, such as 20 or 0.5)");
        }
        return value;
    }

    /** A ratio: a number from 0 to 1. */
    static double ratio(String v) {
        double value;
        try {
            value = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + v + "' is not a number (expected: 0-1, such as 0.95)", e);
        }
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(v + " (expected: 0-1, such as 0.95)");
        }
        return value;
    }

    static boolean bool(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("'" + v + "' is not true or false");
        };
    }

    /** A duration: {@code 250ms}, {@code 25s}, {@code 5m}, {@code 1h}, or ISO-8601 ({@code PT25S}). */
    static Duration duration(String v) {
        String t = v.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("0")) {
                return Duration.ZERO;
            }
            if (t.startsWith("pt") || t.startsWith("p")) {
                return Duration.parse(v.trim().toUpperCase(Locale.ROOT));
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1).trim());
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException(t);
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + v + "' is not a duration (expected: 250ms, 25s, 5m, 1h)", e);
        }
    }

    static <E extends Enum<E>> E enumValue(Class<E> type, String v) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(v)) {
                return e;
            }
        }
        throw new IllegalArgumentException("'" + v + "' (expected one of: "
                + Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList() + ")");
    }

    static String oneOf(String v, String... allowed) {
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new IllegalArgumentException("'" + v + "' (expected one of: " + String.join(", ", allowed) + ")");
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v;
    }
}
