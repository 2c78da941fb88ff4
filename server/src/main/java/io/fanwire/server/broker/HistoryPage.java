package io.fanwire.server.broker;

import java.util.List;

import io.fanwire.common.protocol.StreamPosition;

/**
 * Publications of a topic after a position, and where the stream stands.
 *
 * @param current the stream's current position (epoch and the offset of its last publication)
 * @param publications publications after the requested position, oldest first
 * @param complete whether {@code publications} holds every publication after the requested position: false
 *        when the epoch differs, history was evicted or trimmed, or the page limit cut it short
 */
public record HistoryPage(StreamPosition current, List<Publication> publications, boolean complete) {

    public HistoryPage {
        publications = List.copyOf(publications);
    }
}
