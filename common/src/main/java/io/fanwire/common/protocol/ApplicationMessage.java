package io.fanwire.common.protocol;

import java.util.Objects;

/**
 * A message the protocol does not interpret: delivered to the application as it came, or sent by the
 * application as it is.
 */
public record ApplicationMessage(Envelope envelope) implements ClientMessage, ServerMessage {

    public ApplicationMessage {
        Objects.requireNonNull(envelope, "envelope");
    }

    @Override
    public Envelope toEnvelope() {
        return envelope;
    }
}
