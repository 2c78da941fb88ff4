package io.fanwire.common.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A message from the server to a client. The server stamps {@code id}, {@code ts} and {@code seq} when it
 * writes one; {@link #toEnvelope()} leaves them absent.
 */
public sealed interface ServerMessage permits ServerMessage.ServerReady, ServerMessage.ServerHello,
        ServerMessage.ServerPing, ServerMessage.ServerPong, ServerMessage.ErrorMessage, ApplicationMessage {

    /** The wire form of this message, without id, timestamp and sequence number. */
    Envelope toEnvelope();

    /** Classifies an envelope the server sent; unknown types are {@link ApplicationMessage}s. */
    static ServerMessage from(Envelope envelope) {
        ObjectNode p = envelope.payload();
        if (!Categories.SYSTEM.equals(envelope.category())) {
            return new ApplicationMessage(envelope);
        }
        return switch (envelope.type()) {
            case MessageTypes.SERVER_READY -> {
                JsonNode d = p.path("details");
                yield new ServerReady(d.path("connection_id").asText(), d.path("user_id").asText(),
                        d.path("version").asInt(Envelope.PROTOCOL_VERSION), Features.from(d.get("features")),
                        d.path("server_time").asText());
            }
            case MessageTypes.SERVER_HELLO -> {
                JsonNode l = p.path("limits");
                yield new ServerHello(p.path("server_version").asText(), p.path("protocol_version").asInt(),
                        Features.from(p.get("features")),
                        new Limits(l.path("max_message_size").asInt(), l.path("rate_limit_capacity").asInt(),
                                l.path("rate_limit_refill").asDouble()),
                        p.path("ping_interval").asLong(), p.path("connection_id").asText(),
                        p.path("server_time").asText(), p.path("token_expires_at").asText(null),
                        p.path("encryption_public_key").asText(null));
            }
            case MessageTypes.PING -> new ServerPing(p.path("server_time").asLong());
            case MessageTypes.PONG -> new ServerPong(p.path("client_timestamp").asLong(-1),
                    p.path("server_timestamp").asLong(), p.path("latency").asLong());
            case MessageTypes.ERROR -> new ErrorMessage(p.path("code").asText(), p.path("message").asText(),
                    p.path("recoverable").asBoolean(), p.path("retry_after").asDouble(-1),
                    envelope.correlationId());
            default -> new ApplicationMessage(envelope);
        };
    }

    /**
     * {@code server_ready}: always the first frame after the upgrade.
     *
     * @param connectionId the connection's id
     * @param userId the authenticated user ({@code sub})
     * @param version the protocol version
     * @param features the features the server offers
     * @param serverTime the server's clock, ISO-8601 UTC
     */
    record ServerReady(String connectionId, String userId, int version, Features features, String serverTime)
            implements ServerMessage {
        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            p.put("message", "Connection established");
            ObjectNode d = p.putObject("details");
            d.put("version", version);
            features.writeTo(d, "features");
            d.put("connection_id", connectionId);
            d.put("server_time", serverTime);
            d.put("user_id", userId);
            return Envelope.system(MessageTypes.SERVER_READY, p);
        }
    }

    /**
     * Limits the server applies to a connection, announced in {@code server_hello}.
     *
     * @param maxMessageSize the largest inbound message in bytes
     * @param rateLimitCapacity the inbound token bucket's capacity, or 0 when unlimited
     * @param rateLimitRefill tokens per second refilled into the bucket
     */
    record Limits(int maxMessageSize, int rateLimitCapacity, double rateLimitRefill) {
    }

    /**
     * {@code server_hello}: the answer to {@code client_hello}.
     *
     * @param serverVersion the server's version
     * @param protocolVersion the negotiated protocol version (the lower of both)
     * @param features the negotiated features
     * @param limits the connection's limits
     * @param pingIntervalMillis how often the server pings
     * @param connectionId the connection's id
     * @param serverTime the server's clock, ISO-8601 UTC
     * @param tokenExpiresAt when the connection's token expires, ISO-8601 UTC, or {@code null}
     * @param encryptionPublicKey the server's public key when encryption was negotiated, else {@code null}
     */
    record ServerHello(String serverVersion, int protocolVersion, Features features, Limits limits,
                       long pingIntervalMillis, String connectionId, String serverTime, String tokenExpiresAt,
                       String encryptionPublicKey) implements ServerMessage {
        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            p.put("server_version", serverVersion);
            p.put("protocol_version", protocolVersion);
            features.writeTo(p, "features");
            ObjectNode l = p.putObject("limits");
            l.put("max_message_size", limits.maxMessageSize());
            l.put("rate_limit_capacity", limits.rateLimitCapacity());
            l.put("rate_limit_refill", limits.rateLimitRefill());
            p.put("ping_interval", pingIntervalMillis);
            p.put("connection_id", connectionId);
            p.put("server_time", serverTime);
            if (tokenExpiresAt != null) {
                p.put("token_expires_at", tokenExpiresAt);
            }
            if (encryptionPublicKey != null) {
                p.put("encryption_public_key", encryptionPublicKey);
            }
            return Envelope.system(MessageTypes.SERVER_HELLO, p);
        }
    }

    /**
     * The server's heartbeat; the client answers with {@code PONG}.
     *
     * @param serverTime the server's clock in epoch milliseconds
     */
    record ServerPing(long serverTime) implements ServerMessage {
        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            p.put("server_time", serverTime);
            return Envelope.system(MessageTypes.PING, p);
        }
    }

    /**
     * The answer to a client {@code ping}.
     *
     * @param clientTimestamp the ping's {@code timestamp}, or {@code -1} when it had none
     * @param serverTimestamp the server's clock in epoch milliseconds
     * @param latency {@code serverTimestamp - clientTimestamp} (one-way, clock skew included), or 0
     */
    record ServerPong(long clientTimestamp, long serverTimestamp, long latency) implements ServerMessage {
        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            if (clientTimestamp >= 0) {
                p.put("client_timestamp", clientTimestamp);
            }
            p.put("server_timestamp", serverTimestamp);
            p.put("latency", latency);
            return Envelope.system(MessageTypes.PONG, p);
        }
    }

    /**
     * An {@code error}.
     *
     * @param code an {@link ErrorCode} name
     * @param message a human-readable explanation
     * @param recoverable whether the same request may succeed later unchanged
     * @param retryAfterSeconds when to retry, or a negative number when not given
     * @param correlationId the failed request's {@code cid}, or {@code null}
     */
    record ErrorMessage(String code, String message, boolean recoverable, double retryAfterSeconds,
                        String correlationId) implements ServerMessage {

        /** An error of {@code code} answering the request with {@code correlationId} (may be {@code null}). */
        public static ErrorMessage of(ErrorCode code, String message, String correlationId) {
            return new ErrorMessage(code.name(), message, code.recoverable(), -1, correlationId);
        }

        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            p.put("code", code);
            p.put("message", message);
            p.put("recoverable", recoverable);
            if (retryAfterSeconds >= 0) {
                p.put("retry_after", retryAfterSeconds);
            }
            return Envelope.system(MessageTypes.ERROR, p).withCorrelationId(correlationId);
        }
    }
}
