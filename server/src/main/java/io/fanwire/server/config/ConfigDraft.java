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
    String host = ServerConfig.DEFAULT_HOST;
    boolean hostConfigured;
    int port = ServerConfig.DEFAULT_PORT;
    String apiKey;
    int writeLow = ServerConfig.DEFAULT_WRITE_BUFFER_LOW_WATER_BYTES;
    int writeHigh = ServerConfig.DEFAULT_WRITE_BUFFER_HIGH_WATER_BYTES;
    boolean metricsEnabled = ServerConfig.MetricsConfig.DEFAULT_ENABLED;
    boolean metricsRequireApiKey = ServerConfig.MetricsConfig.DEFAULT_REQUIRE_API_KEY;
    boolean reusePort;
    String broker = "memory";
    String redisUri = "redis://127.0.0.1:6379";
    String redisKeyPrefix = io.fanwire.server.broker.RedisBroker.Config.DEFAULT_KEY_PREFIX;
    int redisMaxPending = io.fanwire.server.broker.RedisBroker.Config.DEFAULT_MAX_PENDING_PUBLISHES;
    Duration redisCommandTimeout = io.fanwire.server.broker.RedisBroker.Config.DEFAULT_COMMAND_TIMEOUT;
    Duration redisStreamTtl = io.fanwire.server.broker.RedisBroker.Config.DEFAULT_STREAM_TTL;

    /** Whether no verification key was configured (development mode mints its own). */
    public boolean jwtKeyMissing() {
        return authEnabled && jwtSecret == null && jwtPublicKey == null;
    }

    /** The configured JWT algorithm. */
    public JwtAlgorithm jwtAlgorithm() {
        return jwtAlgorithm;
    }

    /** Uses {@code secret} as the HMAC secret (development mode). */
    public void jwtSecret(String secret) {
        this.jwtSecret = secret;
    }

    /** The built-in application mode of ServerMain: {@code echo}, {@code count} or {@code none}. */
    public String appMode() {
        return appMode;
    }

    /** The configured API key, or {@code null}. */
    public String apiKey() {
        return apiKey;
    }

    /** Sets the API key (development mode). */
    public void apiKey(String apiKey) {
        this.apiKey = apiKey;
    }

    /** Whether a source set the address to bind. */
    public boolean hostConfigured() {
        return hostConfigured;
    }

    /** Sets the address to bind (development mode). */
    public void host(String host) {
        this.host = host;
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

    /**
     * The final configuration.
     *
     * @throws IllegalArgumentException when a setting is invalid, a key is weak, or no key is configured
     */
    public ServerConfig toConfig() {
        server.host(host).port(port).apiKey(apiKey).writeBufferWaterMarks(writeLow, writeHigh)
                .metrics(new ServerConfig.MetricsConfig(metricsEnabled, metricsRequireApiKey))
                .drain(new DrainConfig(drainHighWater, drainLowWater, drainCapacity, drainHighWaterBytes))
                .pubsub(new PubSubConfig(maxSubscriptionsPerConnection, maxTopics, maxTopicNameLength, historySize,
                        historyTtl, historyMemoryBytes, presenceMaxMembers, presenceMaxDataBytes, slowConsumerPolicy,
                        subscribeByDefault, publishByDefault, slowConsumerOverrides));
        server.cluster(new ServerConfig.ClusterConfig(reusePort, broker.equals("redis")
                ? new io.fanwire.server.broker.RedisBroker.Config(redisUri, redisKeyPrefix, redisMaxPending,
                        redisCommandTimeout, redisStreamTtl) : null));
        if (!authEnabled) {
            server.auth(new AuthConfig(null, cookieName, queryToken, subprotocol, allowedOrigins));
        } else {
            JwtVerifierConfig.Builder jwt = JwtVerifierConfig.builder(jwtAlgorithm, key(jwtSecret, jwtPublicKey, "auth.jwt"))
                    .issuer(jwtIssuer).audience(jwtAudience).leeway(jwtLeeway).maxTokenBytes(jwtMaxTokenBytes);
            if (jwtPreviousSecret != null || jwtPreviousPublicKey != null) {
                jwt.previousKey(key(jwtPreviousSecret, jwtPreviousPublicKey, "auth.jwt.previous"));
            }
            server.auth(new AuthConfig(jwt.build(), cookieName, queryToken, subprotocol, allowedOrigins));
        }
        return server.build();
    }

    private Key key(String secret, String publicKey, String what) {
        if (jwtAlgorithm.hmac()) {
            if (secret == null) {
                throw new IllegalArgumentException(what + ".secret: missing (expected: a secret for " + jwtAlgorithm + ")");
            }
            return JwtKeys.hmacKey(jwtAlgorithm, secret);
        }
        if (publicKey == null) {
            throw new IllegalArgumentException(what + ".public_key: missing (expected: a PEM public key for "
                    + jwtAlgorithm + ")");
        }
        return JwtKeys.publicKey(jwtAlgorithm, readPem(publicKey, what));
    }

    /** PEM text inline, or {@code @path} / a path to a file holding it. */
    private static String readPem(String value, String what) {
        if (value.contains("-----BEGIN")) {
            return value;
        }
        Path path = Path.of(value.startsWith("@") ? value.substring(1) : value);
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ".public_key: cannot read " + path + ": " + e.getMessage(), e);
        }
    }
}
