package io.fanwire.common.codec;

/** The encoding of a connection's outbound messages, chosen per connection with {@code format=}. */
public enum WireFormat {
    /** JSON in a text frame (or a binary frame, by server config). */
    JSON,
    /** {@code M:} followed by msgpack in a binary frame. */
    MSGPACK
}
