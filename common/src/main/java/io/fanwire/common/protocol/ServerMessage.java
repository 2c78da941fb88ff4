package io.fanwire.common.protocol;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A message from the server to a client. The server stamps {@code id}, {@code ts} and {@code seq} when it
 * writes one; {@link #toEnvelope()} leaves them absent.
 */
public sealed interface ServerMessage permits ServerMessage.ServerReady, ServerMessage.ServerHello,
        ServerMessage.ServerPing, ServerMessage.ServerPong, ServerMessage.ErrorMessage,
        ServerMessage.SubscriptionUpdate, ServerMessage.PublishAck, ServerMessage.PresenceState,
        ServerMessage.PresenceChange, ServerMessage.TokenExpiring, ServerMessage.RefreshOk,
        ServerMessage.RateLimitWarning, ApplicationMessage {

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
            case MessageTypes.SUBSCRIPTION_UPDATE -> SubscriptionUpdate.parse(p, envelope.correlationId());
            case MessageTypes.PUBLISH_ACK -> new PublishAck(p.path("topic").asText(), p.path("epoch").asText(),
                    p.path("offset").asLong(), envelope.correlationId());
            case MessageTypes.PRESENCE_STATE -> PresenceState.parse(p, envelope.correlationId());
            case MessageTypes.PRESENCE_JOIN, MessageTypes.PRESENCE_LEAVE, MessageTypes.PRESENCE_UPDATE ->
                    new PresenceChange(envelope.type(), p.path("topic").asText(), p.path("user_id").asText(),
                            p.get("data") instanceof ObjectNode data ? data : null);
            case MessageTypes.TOKEN_EXPIRING -> new TokenExpiring(p.path("expires_at").asText());
            case MessageTypes.REFRESH_OK -> new RefreshOk(p.path("expires_at").asText(), envelope.correlationId());
            case MessageTypes.RATE_LIMIT_WARNING -> new RateLimitWarning(p.path("current_rate").asDouble(),
                    p.path("limit").asInt(), p.path("remaining").asInt(), p.path("retry_after").asDouble());
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

    /**
     * A topic the server could not subscribe (or unsubscribe) a connection to.
     *
     * @param topic the topic as requested
     * @param code an {@link ErrorCode} name
     * @param reason a human-readable explanation
     */
    record TopicFailure(String topic, String code, String reason) {
    }

    /**
     * Where a topic's stream stands for a connection after a subscription.
     *
     * @param epoch the stream's current epoch
     * @param offset the offset of the last publication (the client's new baseline)
     * @param recovered with recovery asked: whether every missed publication was replayed; otherwise {@code null}
     * @param count with recovery asked: how many publications were replayed; otherwise 0
     */
    record TopicPosition(String epoch, long offset, Boolean recovered, int count) {
    }

    /**
     * {@code subscription_update}: the answer to a {@code subscription}.
     *
     * @param successTopics topics the request succeeded for
     * @param failedTopics topics it failed for, with codes
     * @param recovery per subscribed topic, the stream position (and the recovery outcome when asked)
     * @param correlationId the request's {@code cid}, or {@code null}
     */
    record SubscriptionUpdate(List<String> successTopics, List<TopicFailure> failedTopics,
                              Map<String, TopicPosition> recovery, String correlationId) implements ServerMessage {

        public SubscriptionUpdate {
            successTopics = List.copyOf(successTopics);
            failedTopics = List.copyOf(failedTopics);
            recovery = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(recovery));
        }

        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            ArrayNode ok = p.putArray("success_topics");
            successTopics.forEach(ok::add);
            ArrayNode failed = p.putArray("failed_topics");
            for (TopicFailure f : failedTopics) {
                failed.addObject().put("topic", f.topic()).put("code", f.code()).put("reason", f.reason());
            }
            ObjectNode positions = p.putObject("recovery");
            recovery.forEach((topic, pos) -> {
                ObjectNode o = positions.putObject(topic).put("epoch", pos.epoch()).put("offset", pos.offset());
                if (pos.recovered() != null) {
                    o.put("recovered", pos.recovered()).put("count", pos.count());
                }
            });
            return Envelope.system(MessageTypes.SUBSCRIPTION_UPDATE, p).withCorrelationId(correlationId);
        }

        static SubscriptionUpdate parse(ObjectNode p, String cid) {
            List<String> ok = new java.util.ArrayList<>();
            p.path("success_topics").forEach(t -> ok.add(t.asText()));
            List<TopicFailure> failed = new java.util.ArrayList<>();
            p.path("failed_topics").forEach(f -> failed.add(new TopicFailure(f.path("topic").asText(),
                    f.path("code").asText(), f.path("reason").asText())));
            Map<String, TopicPosition> positions = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : p.path("recovery").properties()) {
                JsonNode v = e.getValue();
                positions.put(e.getKey(), new TopicPosition(v.path("epoch").asText(), v.path("offset").asLong(),
                        v.has("recovered") ? v.path("recovered").asBoolean() : null, v.path("count").asInt()));
            }
            return new SubscriptionUpdate(ok, failed, positions, cid);
        }
    }

    /**
     * {@code publish_ack}: the stamp a client publication received.
     *
     * @param topic the topic
     * @param epoch the stream's epoch
     * @param offset the publication's offset
     * @param correlationId the publish request's {@code cid}
     */
    record PublishAck(String topic, String epoch, long offset, String correlationId) implements ServerMessage {
        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            p.put("topic", topic).put("epoch", epoch).put("offset", offset);
            return Envelope.system(MessageTypes.PUBLISH_ACK, p).withCorrelationId(correlationId);
        }
    }

    /**
     * One present user of a topic.
     *
     * @param data the presence data of the user's most recent connection, or {@code null}
     * @param connections how many of the user's connections are subscribed with presence
     */
    record PresenceUser(ObjectNode data, int connections) {
    }

    /**
     * {@code presence_state}: who is present in a topic.
     *
     * @param topic the topic
     * @param users present users by user id
     * @param correlationId the query's {@code cid}, or {@code null}
     */
    record PresenceState(String topic, Map<String, PresenceUser> users, String correlationId) implements ServerMessage {

        public PresenceState {
            users = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(users));
        }

        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            p.put("topic", topic);
            ObjectNode u = p.putObject("users");
            users.forEach((user, presence) -> {
                ObjectNode entry = u.putObject(user);
                if (presence.data() != null) {
                    entry.set("data", presence.data());
                } else {
                    entry.putNull("data");
                }
                entry.put("connections", presence.connections());
            });
            return Envelope.system(MessageTypes.PRESENCE_STATE, p).withCorrelationId(correlationId);
        }

        static PresenceState parse(ObjectNode p, String cid) {
            Map<String, PresenceUser> users = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : p.path("users").properties()) {
                JsonNode v = e.getValue();
                users.put(e.getKey(), new PresenceUser(v.get("data") instanceof ObjectNode d ? d : null,
                        v.path("connections").asInt()));
            }
            return new PresenceState(p.path("topic").asText(), users, cid);
        }
    }

    /**
     * {@code presence_join}, {@code presence_leave} or {@code presence_update}, sent to a topic's subscribers.
     *
     * @param type one of the three presence event types
     * @param topic the topic
     * @param userId the user who joined, left or changed data
     * @param data the user's presence data, or {@code null}
     */
    record PresenceChange(String type, String topic, String userId, ObjectNode data) implements ServerMessage {
        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            p.put("topic", topic).put("user_id", userId);
            if (data != null) {
                p.set("data", data);
            } else {
                p.putNull("data");
            }
            return Envelope.system(type, p);
        }
    }

    /**
     * {@code token_expiring} (Fanwire): the connection's token expires soon; send {@code refresh} with a new one.
     *
     * @param expiresAt the token's {@code exp}, ISO-8601 UTC
     */
    record TokenExpiring(String expiresAt) implements ServerMessage {
        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            p.put("expires_at", expiresAt);
            return Envelope.system(MessageTypes.TOKEN_EXPIRING, p);
        }
    }

    /**
     * {@code refresh_ok} (Fanwire): the answer to a valid {@code refresh}.
     *
     * @param expiresAt the new token's {@code exp}, ISO-8601 UTC
     * @param correlationId the request's {@code cid}, or {@code null}
     */
    record RefreshOk(String expiresAt, String correlationId) implements ServerMessage {
        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            p.put("expires_at", expiresAt);
            return Envelope.system(MessageTypes.REFRESH_OK, p).withCorrelationId(correlationId);
        }
    }

    /**
     * {@code rate_limit_warning}: the client has used 80 % or more of its inbound message budget.
     *
     * @param currentRate the messages per second the client sent recently
     * @param limit the budget's capacity in messages ({@code rate_limit_capacity})
     * @param remaining whole messages left in the budget now
     * @param retryAfterSeconds seconds until the budget is full again if the client sends nothing
     */
    record RateLimitWarning(double currentRate, int limit, int remaining, double retryAfterSeconds)
            implements ServerMessage {
        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            p.put("current_rate", currentRate);
            p.put("limit", limit);
            p.put("remaining", remaining);
            p.put("retry_after", retryAfterSeconds);
            return Envelope.system(MessageTypes.RATE_LIMIT_WARNING, p);
        }
    }
}
