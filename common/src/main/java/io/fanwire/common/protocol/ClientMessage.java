package io.fanwire.common.protocol;

import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A message from a client to the server. System messages the server interprets have their own
 * record; everything else is an {@link ApplicationMessage} for the application.
 */
public sealed interface ClientMessage
        permits ClientMessage.ClientHello, ClientMessage.ClientPing, ClientMessage.ClientPong, ApplicationMessage {

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
