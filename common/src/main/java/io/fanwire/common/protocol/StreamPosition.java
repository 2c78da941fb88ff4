package io.fanwire.common.protocol;

import java.util.Objects;

/**
 * A position in a topic's stream: the epoch of the stream and the offset of the last publication seen.
 * A client keeps one per topic and sends it back to recover what it missed.
 *
 * @param epoch the stream's epoch, 8 hex digits; a new epoch means the stream restarted
 * @param offset the offset of the last publication seen; 0 before any
 */
public record StreamPosition(String epoch, long offset) {

    public StreamPosition {
        Objects.requireNonNull(epoch, "epoch");
        if (offset < 0) {
            throw new IllegalArgumentException("offset: " + offset + " (expected: >= 0)");
        }
    }
}
