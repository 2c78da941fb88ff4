package io.fanwire.server.drain;

import java.util.Objects;

import io.fanwire.common.protocol.Envelope;

/**
 * Something a connection did that the application should know: it connected, sent a message the protocol
 * does not handle itself, or disconnected. Events of one connection arrive in the order they happened.
 */
public sealed interface InboundEvent permits InboundEvent.Connected, InboundEvent.Message, InboundEvent.Disconnected {

    /** The connection the event belongs to. */
    ConnectionInfo connection();

    /** A client completed the handshake; always the connection's first event. */
    record Connected(ConnectionInfo connection) implements InboundEvent {
        public Connected {
            Objects.requireNonNull(connection, "connection");
        }
    }

    /**
     * A message for the application.
     *
     * @param connection the sender
     * @param envelope the decoded message
     * @param raw the message's bytes exactly as they arrived (prefix included); do not modify
     */
    record Message(ConnectionInfo connection, Envelope envelope, byte[] raw) implements InboundEvent {
        public Message {
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(envelope, "envelope");
            Objects.requireNonNull(raw, "raw");
        }
    }

    /**
     * The connection is gone; always its last event.
     *
     * @param connection the connection
     * @param closeCode the close code (the client's, the server's, or 1006 when the TCP connection dropped)
     * @param reason the close reason, possibly empty
     */
    record Disconnected(ConnectionInfo connection, int closeCode, String reason) implements InboundEvent {
        public Disconnected {
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
