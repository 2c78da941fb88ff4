package io.fanwire.bench.client;

import io.fanwire.common.protocol.Envelope;

/**
 * What a scenario's per-connection work hears from a connection. Called on the connection's event loop:
 * implementations must not block, and they own nothing they are given (frames are released by the client).
 */
public interface ConnectionListener {

    /** Listens to nothing; connections that are only held. */
    ConnectionListener IGNORE = new ConnectionListener() {
    };

    /**
     * A decoded message (in raw mode: a frame that decoded as an envelope). Protocol housekeeping the client
     * answers itself (server {@code ping}, {@code server_hello}) is not passed on.
     *
     * @param receivedNanos {@link System#nanoTime()} when the frame was read
     */
    default void onMessage(BenchConnection connection, Envelope message, long receivedNanos) {
    }

    /** A raw-mode frame that is not an envelope (or a Fanwire frame that failed to decode). */
    default void onUndecodable(BenchConnection connection, long receivedNanos) {
    }

    /** The connection can take writes again after it could not. */
    default void onWritable(BenchConnection connection) {
    }

    /**
     * The connection closed after it was ready.
     *
     * @param closeCode the server's close code, or {@code -1} when the TCP connection ended without one
     */
    default void onClosed(BenchConnection connection, int closeCode) {
    }
}
