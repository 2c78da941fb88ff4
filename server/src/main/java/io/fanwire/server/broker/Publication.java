package io.fanwire.server.broker;

import java.util.Objects;

import io.fanwire.common.protocol.Envelope;

/**
 * A stamped topic publication as the broker delivers it: its place in the topic's stream and its JSON
 * encoding (the form it travels in between nodes and is kept in history).
 *
 * @param topic the topic
 * @param epoch the stream's epoch
 * @param offset the publication's offset in the stream (from 1)
 * @param json the stamped envelope encoded as JSON
 * @param envelope the same envelope decoded, when the broker has it at hand; {@code null} otherwise
 */
public record Publication(String topic, String epoch, long offset, byte[] json, Envelope envelope) {

    public Publication {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(epoch, "epoch");
        Objects.requireNonNull(json, "json");
        if (offset < 1) {
            throw new IllegalArgumentException("offset: " + offset + " (expected: >= 1)");
        }
    }
}
