package io.fanwire.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.time.Duration;

import io.fanwire.common.jwt.JwtAlgorithm;
import io.fanwire.common.jwt.JwtKeys;
import io.fanwire.common.jwt.JwtVerifierConfig;
import io.fanwire.server.ServerConfig;
import io.fanwire.server.ServerConfig.AuthConfig;
import io.fanwire.server.ServerConfig.DrainConfig;
import io.fanwire.server.ServerConfig.PubSubConfig;

/**
 * Settings collected from defaults, a file, the environment and flags, before they become a
 * {@link ServerConfig}. Mutable; used by {@link Settings} only.
 */
public final class ConfigDraft {

    /** The source of the values development mode sets. */
    private static final String DEVELOPMENT_MODE = "development mode";

    final ServerConfig.Builder server = ServerConfig.builder();
    boolean authEnabled = true;
    JwtAlgorithm jwtAlgorithm = JwtAlgorithm.HS256;
    String jwtSecret;
    String jwtPreviousSecret;
    String jwtPublicKey;
    String jwtPreviousPublicKey;
    String jwtIssuer;
    String jwtAudience;
    Duration jwtLeeway = JwtVerifierConfig.DEFAULT_LEEWAY;
    int jwtMaxTokenBytes = JwtVerifierConfig.DEFAULT_MAX_TOKEN_BYTES;
    String cookieName = AuthConfig.DEFAULT_COOKIE_NAME;
    boolean queryToken;
    String subprotocol = AuthConfig.DEFAULT_SUBPROTOCOL;
    java.util.List<String> allowedOrigins = java.util.List.of();
    int drainHighWater = DrainConfig.DEFAULT_HIGH_WATER_EVENTS;
    int drainLowWater = DrainConfig.DEFAULT_LOW_WATER_EVENTS;
    int drainCapacity = DrainConfig.DEFAULT_CAPACITY_EVENTS;
    long drainHighWaterBytes = DrainConfig.DEFAULT_HIGH_WATER_BYTES;
    int maxSubscriptionsPerConnection = PubSubConfig.DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION;
    int maxTopics = PubSubConfig.DEFAULT_MAX_TOPICS;
    int maxTopicNameLength = PubSubConfig.DEFAULT_MAX_TOPIC_NAME_LENGTH;
    ServerConfig.SlowConsumerPolicy slowConsumerPolicy = ServerConfig.SlowConsumerPolicy.DROP;
    java.util.List<PubSubConfig.PolicyOverride> slowConsumerOverrides = java.util.List.of();
    boolean subscribeByDefault = true;
    boolean publishByDefault;
    int historySize = PubSubConfig.DEFAULT_HISTORY_SIZE;
    Duration historyTtl = PubSubConfig.DEFAULT_HISTORY_TTL;
    long historyMemoryBytes = PubSubConfig.DEFAULT_HISTORY_MEMORY_BYTES;
    int presenceMaxMembers = PubSubConfig.DEFAULT_PRESENCE_MAX_MEMBERS;
    int presenceMaxDataBytes = PubSubConfig.DEFAULT_PRESENCE_MAX_DATA_BYTES;
    String appMode = "echo";
    String appDispatch = "drain";
    String host = ServerConfig.DEFAULT_HOST;
    boolean hostConfigured;
    int port = ServerConfig.DEFAULT_PORT;
    String apiKey;
    int writeLow = ServerConfig.DEFAULT_WRITE_BUFFER_LOW_WATER_BYTES;
    int writeHigh = ServerConfig.DEFAULT_WRITE_BUFFER_HIGH_WATER_BYTES;
    boolean metricsEnabled = ServerConfig.MetricsConfig.DEFAULT_ENABLED;
    boolean metricsRequireApiKey = ServerConfig.MetricsConfig.DEFAULT_REQUIRE_API_KEY;
    // Abuse limits and token lifetime
    Duration tokenExpiryWarning = AuthConfig.DEFAULT_TOKEN_EXPIRY_WARNING;
    int rateCapacity = ServerConfig.RateLimitConfig.DEFAULT_MESSAGE_CAPACITY;
    double rateRefill = ServerConfig.RateLimitConfig.DEFAULT_MESSAGE_REFILL_PER_SECOND;
    int controlCapacity = ServerConfig.RateLimitConfig.DEFAULT_CONTROL_CAPACITY;
    double controlRefill = ServerConfig.RateLimitConfig.DEFAULT_CONTROL_REFILL_PER_SECOND;
    int maxViolations = ServerConfig.RateLimitConfig.DEFAULT_MAX_VIOLATIONS;
    Duration violationWindow = ServerConfig.RateLimitConfig.DEFAULT_VIOLATION_WINDOW;
    // Key set (JWKS)
    String jwksUrl;
    Duration jwksRefreshInterval = ServerConfig.JwksConfig.DEFAULT_REFRESH_INTERVAL;
    Duration jwksMinRefreshInterval = ServerConfig.JwksConfig.DEFAULT_MIN_REFRESH_INTERVAL;
    Duration jwksTimeout = ServerConfig.JwksConfig.DEFAULT_FETCH_TIMEOUT;
    // Graceful drain and connection limits
    Duration shutdownTimeout = ServerConfig.ShutdownConfig.DEFAULT_TIMEOUT;
    int shutdownCloseRate = ServerConfig.ShutdownConfig.DEFAULT_CLOSES_PER_SECOND;
    Duration shutdownRetryAfter = ServerConfig.ShutdownConfig.DEFAULT_RETRY_AFTER;
    Duration shutdownRetryJitter = ServerConfig.ShutdownConfig.DEFAULT_RETRY_JITTER;
    int maxConnections = ServerConfig.LimitsConfig.DEFAULT_MAX_CONNECTIONS;
    int maxConnectionsPerIp = ServerConfig.LimitsConfig.DEFAULT_MAX_CONNECTIONS_PER_IP;
    int handshakesPerIpPerSecond = ServerConfig.LimitsConfig.DEFAULT_HANDSHAKES_PER_IP_PER_SECOND;
    Duration requestTimeout = ServerConfig.LimitsConfig.DEFAULT_REQUEST_TIMEOUT;
    Duration maxLifetime = ServerConfig.LimitsConfig.DEFAULT_MAX_LIFETIME;
    Duration lifetimeJitter = ServerConfig.LimitsConfig.DEFAULT_LIFETIME_JITTER;
    String tlsCertificateChain;
    String tlsPrivateKey;
    ServerConfig.TlsProvider tlsProvider = ServerConfig.TlsProvider.AUTO;
    Duration tlsHandshakeTimeout = ServerConfig.TlsConfig.DEFAULT_HANDSHAKE_TIMEOUT;
    /** The text of every setting a source gave, with that source; the last source wins. */
    private final java.util.Map<String, Recorded> recorded = new java.util.HashMap<>();

    /**
     * A setting's value as a source gave it.
     *
     * @param value the text
     * @param source where it came from: a file name, {@code environment}, {@code flags}, {@code development mode}
     */
    public record Recorded(String value, String source) {
    }

    void record(String key, String value, String source) {
        recorded.put(key, new Recorded(value, source));
    }

    /** What a source gave for {@code key}, or {@code null} when it is at its default. */
    public Recorded recorded(String key) {
        return recorded.get(key);
    }
    boolean reusePort;
    String broker = "memory";
    String redisUri = "redis://127.0.0.1:6379";
    String redisKeyPrefix = io.fanwire.server.broker.RedisBroker.Config.DEFAULT_KEY_PREFIX;
    int redisMaxPending = io.fanwire.server.broker.RedisBroker.Config.DEFAULT_MAX_PENDING_PUBLISHES;
    Duration redisCommandTimeout = io.fanwire.server.broker.RedisBroker.Config.DEFAULT_COMMAND_TIMEOUT;
    Duration redisStreamTtl = io.fanwire.server.broker.RedisBroker.Config.DEFAULT_STREAM_TTL;

    /** Whether no verification key was configured (development mode mints its own). */
    public boolean jwtKeyMissing() {
        return authEnabled && jwtSecret == null && jwtPublicKey == null && jwksUrl == null;
    }

    /** The configured JWT algorithm. */
    public JwtAlgorithm jwtAlgorithm() {
        return jwtAlgorithm;
    }

    /** Uses {@code secret} as the HMAC secret (development mode). */
    public void jwtSecret(String secret) {
        this.jwtSecret = secret;
        record("auth.jwt.secret", secret, DEVELOPMENT_MODE);
    }

    /** The built-in application mode of ServerMain: {@code echo}, {@code count} or {@code none}. */
    public String appMode() {
        return appMode;
    }

    /** How ServerMain's built-in application takes events: {@code drain} or {@code loop}. */
    public String appDispatch() {
        return appDispatch;
    }

    /** The configured API key, or {@code null}. */
    public String apiKey() {
        return apiKey;
    }

    /** Sets the API key (development mode). */
    public void apiKey(String apiKey) {
        this.apiKey = apiKey;
        record("api.key", apiKey, DEVELOPMENT_MODE);
    }

    /** Whether a source set the address to bind. */
    public boolean hostConfigured() {
        return hostConfigured;
    }

    /** Sets the address to bind (development mode). */
    public void host(String host) {
        this.host = host;
        record("host", host, DEVELOPMENT_MODE);
    }

    /** Whether clients must authenticate. */
    public boolean authEnabled() {
        return authEnabled;
    }

    /** The address to bind. */
    public String host() {
        return host;
    }

    /** The port to bind. */
    public int port() {
        return port;
    }

    /** Whether TLS is configured ({@code tls.certificate_chain} and {@code tls.private_key}). */
    public boolean tlsEnabled() {
        return tlsCertificateChain != null || tlsPrivateKey != null;
    }

    /**
     * The final configuration. Reads the PEM files that settings name (TLS certificate and key, JWT public keys).
     *
     * @throws IllegalArgumentException when a setting is invalid, a key is weak, or no key is configured
     */
    public ServerConfig toConfig() {
        server.host(host).port(port).apiKey(apiKey).writeBufferWaterMarks(writeLow, writeHigh)
                .metrics(new ServerConfig.MetricsConfig(metricsEnabled, metricsRequireApiKey))
                .drain(new DrainConfig(drainHighWater, drainLowWater, drainCapacity, drainHighWaterBytes))
                .shutdown(new ServerConfig.ShutdownConfig(shutdownTimeout, shutdownCloseRate, shutdownRetryAfter,
                        shutdownRetryJitter))
                .limits(new ServerConfig.LimitsConfig(maxConnections, maxConnectionsPerIp, handshakesPerIpPerSecond,
                        requestTimeout, maxLifetime, lifetimeJitter))
                .pubsub(new PubSubConfig(maxSubscriptionsPerConnection, maxTopics, maxTopicNameLength, historySize,
                        historyTtl, historyMemoryBytes, presenceMaxMembers, presenceMaxDataBytes, slowConsumerPolicy,
                        subscribeByDefault, publishByDefault, slowConsumerOverrides))
                .rateLimit(new ServerConfig.RateLimitConfig(rateCapacity, rateRefill, controlCapacity, controlRefill,
                        maxViolations, violationWindow, ServerConfig.RateLimitConfig.DEFAULT_WARNING_INTERVAL))
                .tls(tls());

        server.cluster(new ServerConfig.ClusterConfig(reusePort, broker.equals("redis")
                ? new io.fanwire.server.broker.RedisBroker.Config(redisUri, redisKeyPrefix, redisMaxPending,
                        redisCommandTimeout, redisStreamTtl) : null));
        if (!authEnabled) {
            server.auth(new AuthConfig(null, cookieName, queryToken, subprotocol, allowedOrigins, tokenExpiryWarning));
        } else {
            JwtVerifierConfig.Builder jwt = JwtVerifierConfig.builder(jwtAlgorithm, key(jwtSecret, jwtPublicKey, "auth.jwt"))
                    .issuer(jwtIssuer).audience(jwtAudience).leeway(jwtLeeway).maxTokenBytes(jwtMaxTokenBytes);
            if (jwtPreviousSecret != null || jwtPreviousPublicKey != null) {
                jwt.previousKey(key(jwtPreviousSecret, jwtPreviousPublicKey, "auth.jwt.previous"));
            }
            server.auth(new AuthConfig(jwt.build(), cookieName, queryToken, subprotocol, allowedOrigins,
                    tokenExpiryWarning, jwks()));
        }
        return server.build();
    }

    private ServerConfig.JwksConfig jwks() {
        if (jwksUrl == null) {
            return null;
        }
        java.net.URI url;
        try {
            url = new java.net.URI(jwksUrl);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("auth.jwks.url: '" + jwksUrl + "' is not a URL", e);
        }
        return new ServerConfig.JwksConfig(url, jwksRefreshInterval, jwksMinRefreshInterval, jwksTimeout);
    }

    private Key key(String secret, String publicKey, String what) {
        if (jwtAlgorithm.hmac()) {
            if (secret == null) {
                throw new IllegalArgumentException(what + ".secret: missing (expected: a secret for " + jwtAlgorithm + ")");
            }
            return JwtKeys.hmacKey(jwtAlgorithm, secret);
        }
        if (publicKey == null) {
            if (jwksUrl != null && what.equals("auth.jwt")) {
                // Every key comes from the key set.
                return null;
            }
            throw new IllegalArgumentException(what + ".public_key: missing (expected: a PEM public key for "
                    + jwtAlgorithm + ", or auth.jwks.url)");
        }
        return JwtKeys.publicKey(jwtAlgorithm, readPem(publicKey, what + ".public_key"));
    }

    private ServerConfig.TlsConfig tls() {
        if (!tlsEnabled()) {
            return null;
        }
        if (tlsCertificateChain == null || tlsPrivateKey == null) {
            throw new IllegalArgumentException((tlsCertificateChain == null ? "tls.certificate_chain" : "tls.private_key")
                    + ": missing (expected: both tls.certificate_chain and tls.private_key, or neither)");
        }
        return new ServerConfig.TlsConfig(readPem(tlsCertificateChain, "tls.certificate_chain"),
                readPem(tlsPrivateKey, "tls.private_key"), tlsProvider, tlsHandshakeTimeout);
    }

    /**
     * PEM text inline, or {@code @path} / a path to a file holding it. {@code setting} names it in errors, which
     * never quote the value (it may be a key).
     */
    private static String readPem(String value, String setting) {
        if (value.contains("-----BEGIN")) {
            return value;
        }
        Path path = Path.of(value.startsWith("@") ? value.substring(1) : value);
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + ": cannot read " + path + ": " + e, e);
        }
    }
}
