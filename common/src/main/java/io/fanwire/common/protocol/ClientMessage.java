package io.fanwire.common.protocol;

import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A message from a client to the server. System messages the server interprets have their own
 * record; everything else is an {@link ApplicationMessage} for the application.
 */
public sealed interface ClientMessage
        permits ClientMessage.ClientHello, ClientMessage.ClientPing, ClientMessage.ClientPong,
        ClientMessage.Subscription, ClientMessage.Publish, ClientMessage.PresenceQuery, ClientMessage.Refresh,
        ApplicationMessage {

    /** The most topics one {@code subscription} request may name. */
    int MAX_TOPICS_PER_REQUEST = 256;

    /** The wire form of this message. */
    Envelope toEnvelope();

    /**
     * Classifies a decoded envelope.
     *
     * @throws ProtocolException with {@link ErrorCode#INVALID_MESSAGE} when a system message has keys of the wrong type
     */
    static ClientMessage from(Envelope envelope) throws ProtocolException {
        String type = envelope.type();
        ObjectNode p = envelope.payload();
        if (MessageTypes.isPong(type)) {
            return new ClientPong(optionalLong(p, "server_timestamp"), optionalLong(p, "client_timestamp"));
        }
        return switch (type) {
            case MessageTypes.PING -> new ClientPing(optionalLong(p, "timestamp"), envelope.correlationId());
            case MessageTypes.SUBSCRIPTION, MessageTypes.SUBSCRIPTION_UPDATE -> subscription(p, envelope.correlationId());
            case MessageTypes.PUBLISH -> publish(p, envelope.correlationId());
            case MessageTypes.PRESENCE -> new PresenceQuery(requiredText(p, "topic", ErrorCode.INVALID_MESSAGE),
                    envelope.correlationId());
            case MessageTypes.REFRESH -> new Refresh(requiredText(p, "token", ErrorCode.INVALID_MESSAGE),
                    envelope.correlationId());
            case MessageTypes.CLIENT_HELLO -> new ClientHello(
                    optionalText(p, "client_version"),
                    (int) optionalLong(p, "protocol_version", Envelope.PROTOCOL_VERSION),
                    Features.from(p.get("features")),
                    optionalText(p, "encryption_public_key"));
            default -> new ApplicationMessage(envelope);
        };
    }

    /**
     * {@code client_hello}: what the client is and supports.
     *
     * @param clientVersion the client's own version string, or {@code null}
     * @param protocolVersion the highest protocol version the client speaks
     * @param features the optional features the client asks for
     * @param encryptionPublicKey base64 of the client's P-256 public key when it asks for encryption, else {@code null}
     */
    record ClientHello(String clientVersion, int protocolVersion, Features features, String encryptionPublicKey)
            implements ClientMessage {
        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            if (clientVersion != null) {
                p.put("client_version", clientVersion);
            }
            p.put("protocol_version", protocolVersion);
            features.writeTo(p, "features");
            if (encryptionPublicKey != null) {
                p.put("encryption_public_key", encryptionPublicKey);
            }
            return Envelope.system(MessageTypes.CLIENT_HELLO, p);
        }
    }

    /**
     * An application-level ping; the server answers {@code PONG} on the I/O thread.
     *
     * @param timestamp the client's clock in epoch milliseconds, echoed back, or {@code -1}
     * @param correlationId echoed in the reply, or {@code null}
     */
    record ClientPing(long timestamp, String correlationId) implements ClientMessage {
        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            if (timestamp >= 0) {
                p.put("timestamp", timestamp);
            }
            return Envelope.system(MessageTypes.PING, p).withCorrelationId(correlationId);
        }
    }

    /**
     * The client's answer to a server {@code ping}.
     *
     * @param serverTimestamp the {@code server_time} of the ping it answers, or {@code -1}
     * @param clientTimestamp the client's clock in epoch milliseconds, or {@code -1}
     */
    record ClientPong(long serverTimestamp, long clientTimestamp) implements ClientMessage {
        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            if (serverTimestamp >= 0) {
                p.put("server_timestamp", serverTimestamp);
            }
            if (clientTimestamp >= 0) {
                p.put("client_timestamp", clientTimestamp);
            }
            return Envelope.system(MessageTypes.PONG, p);
        }
    }

    /** What a {@link Subscription} asks for. */
    enum Action {
        SUBSCRIBE, UNSUBSCRIBE
    }

    /**
     * {@code subscription} (or {@code subscription_update}): subscribe to or unsubscribe from topics.
     *
     * @param action subscribe or unsubscribe
     * @param topics the topics; empty with unsubscribe means every topic of the connection
     * @param presence presence data to publish while subscribed, or {@code null} for no presence
     * @param queueGroup the queue group to join, or {@code null} to receive every publication
     * @param recover whether to replay what was missed since {@code recovery}'s positions
     * @param recovery per topic, the last position the client saw (used with {@code recover})
     * @param correlationId echoed in the reply, or {@code null}
     */
    record Subscription(Action action, java.util.List<String> topics, ObjectNode presence, String queueGroup,
                        boolean recover, java.util.Map<String, StreamPosition> recovery, String correlationId)
            implements ClientMessage {

        public Subscription {
            java.util.Objects.requireNonNull(action, "action");
            topics = java.util.List.copyOf(topics);
            recovery = java.util.Map.copyOf(recovery);
        }

        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            p.put("action", action.name().toLowerCase(Locale.ROOT));
            com.fasterxml.jackson.databind.node.ArrayNode list = p.putArray("topics");
            topics.forEach(list::add);
            if (presence != null) {
                p.set("presence", presence);
            }
            if (queueGroup != null) {
                p.put("queue_group", queueGroup);
            }
            if (recover) {
                p.put("recover", true);
                ObjectNode positions = p.putObject("recovery");
                recovery.forEach((topic, pos) -> positions.putObject(topic).put("epoch", pos.epoch())
                        .put("offset", pos.offset()));
            }
            return Envelope.system(MessageTypes.SUBSCRIPTION, p).withCorrelationId(correlationId);
        }
    }

    /**
     * {@code publish}: publish to a topic's subscribers (subject to the publish ACL).
     *
     * @param topic the topic
     * @param type the event type of the publication, or {@code null} for {@link MessageTypes#PUBLICATION}
     * @param data the publication's payload, or {@code null} for an empty object
     * @param correlationId when given, the server answers {@code publish_ack}
     */
    record Publish(String topic, String type, ObjectNode data, String correlationId) implements ClientMessage {
        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            p.put("topic", topic);
            if (type != null) {
                p.put("type", type);
            }
            if (data != null) {
                p.set("data", data);
            }
            return Envelope.system(MessageTypes.PUBLISH, p).withCorrelationId(correlationId);
        }
    }

    /**
     * {@code presence}: who is present in a topic.
     *
     * @param topic the topic
     * @param correlationId echoed in the reply, or {@code null}
     */
    record PresenceQuery(String topic, String correlationId) implements ClientMessage {
        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            p.put("topic", topic);
            return Envelope.system(MessageTypes.PRESENCE, p).withCorrelationId(correlationId);
        }
    }

    /**
     * {@code refresh} (Fanwire): a new token for this connection, before the current one expires.
     *
     * @param token the new compact JWT; it must name the connection's {@code sub}
     * @param correlationId echoed in the reply, or {@code null}
     */
    record Refresh(String token, String correlationId) implements ClientMessage {

        public Refresh {
            java.util.Objects.requireNonNull(token, "token");
        }

        @Override
        public Envelope toEnvelope() {
            ObjectNode p = Envelope.newPayload();
            p.put("token", token);
            return Envelope.system(MessageTypes.REFRESH, p).withCorrelationId(correlationId);
        }

        /** Never prints the token, which is a credential. */
        @Override
        public String toString() {
            return "Refresh[token=(" + token.length() + " chars), correlationId=" + correlationId + "]";
        }
    }

    private static Subscription subscription(ObjectNode p, String cid) throws ProtocolException {
        String actionText = optionalText(p, "action");
        Action action;
        if (actionText == null || actionText.equals("subscribe")) {
            action = Action.SUBSCRIBE;
        } else if (actionText.equals("unsubscribe")) {
            action = Action.UNSUBSCRIBE;
        } else {
            throw new ProtocolException(ErrorCode.INVALID_ACTION,
                    "p.action: expected subscribe or unsubscribe, got " + abbreviate(actionText));
        }
        java.util.List<String> topics = new java.util.ArrayList<>();
        JsonNode list = p.get("topics");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw new ProtocolException(ErrorCode.INVALID_SUBSCRIPTION, "p.topics: expected an array of strings");
            }
            if (list.size() > MAX_TOPICS_PER_REQUEST) {
                throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED,
                        "p.topics: " + list.size() + " topics (expected: at most " + MAX_TOPICS_PER_REQUEST + ")");
            }
            for (JsonNode t : list) {
                if (!t.isTextual()) {
                    throw new ProtocolException(ErrorCode.INVALID_SUBSCRIPTION, "p.topics: expected an array of strings");
                }
                topics.add(t.textValue());
            }
        }
        if (action == Action.SUBSCRIBE && topics.isEmpty()) {
            throw new ProtocolException(ErrorCode.INVALID_SUBSCRIPTION, "p.topics: expected at least one topic");
        }
        ObjectNode presence = optionalObject(p, "presence");
        String group = optionalText(p, "queue_group");
        JsonNode recoverNode = p.get("recover");
        boolean recover = recoverNode != null && recoverNode.isBoolean() && recoverNode.booleanValue();
        java.util.Map<String, StreamPosition> recovery = new java.util.LinkedHashMap<>();
        JsonNode positions = p.get("recovery");
        if (recover && positions != null && !positions.isNull()) {
            if (!positions.isObject()) {
                throw new ProtocolException(ErrorCode.INVALID_SUBSCRIPTION, "p.recovery: expected an object");
            }
            for (java.util.Map.Entry<String, JsonNode> e : positions.properties()) {
                JsonNode epoch = e.getValue().get("epoch");
                JsonNode offset = e.getValue().get("offset");
                if (epoch == null || !epoch.isTextual() || offset == null || !offset.canConvertToLong()
                        || !offset.isIntegralNumber() || offset.longValue() < 0) {
                    throw new ProtocolException(ErrorCode.INVALID_SUBSCRIPTION,
                            "p.recovery: expected {\"epoch\": string, \"offset\": integer >= 0} per topic");
                }
                recovery.put(e.getKey(), new StreamPosition(epoch.textValue(), offset.longValue()));
            }
        }
        return new Subscription(action, topics, presence, group, recover, recovery, cid);
    }

    private static Publish publish(ObjectNode p, String cid) throws ProtocolException {
        String type = optionalText(p, "type");
        if (type != null && (type.isEmpty() || type.length() > 128)) {
            throw new ProtocolException(ErrorCode.INVALID_MESSAGE, "p.type: expected 1 to 128 characters");
        }
        return new Publish(requiredText(p, "topic", ErrorCode.INVALID_MESSAGE), type, optionalObject(p, "data"), cid);
    }

    private static String requiredText(ObjectNode p, String name, ErrorCode code) throws ProtocolException {
        String value = optionalText(p, name);
        if (value == null) {
            throw new ProtocolException(code, "p." + name + ": required");
        }
        return value;
    }

    private static ObjectNode optionalObject(ObjectNode p, String name) throws ProtocolException {
        JsonNode value = p.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw new ProtocolException(ErrorCode.INVALID_MESSAGE,
                    "p." + name + ": expected an object, got " + value.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return (ObjectNode) value;
    }

    private static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }

    private static long optionalLong(ObjectNode p, String name) throws ProtocolException {
        return optionalLong(p, name, -1);
    }

    private static long optionalLong(ObjectNode p, String name, long absent) throws ProtocolException {
        JsonNode value = p.get(name);
        if (value == null || value.isNull()) {
            return absent;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            if (value.isNumber()) {
                return value.longValue();
            }
            throw new ProtocolException(ErrorCode.INVALID_MESSAGE,
                    "p." + name + ": expected a number, got " + value.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return value.longValue();
    }

    private static String optionalText(ObjectNode p, String name) throws ProtocolException {
        JsonNode value = p.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new ProtocolException(ErrorCode.INVALID_MESSAGE,
                    "p." + name + ": expected a string, got " + value.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return value.textValue();
    }
}
