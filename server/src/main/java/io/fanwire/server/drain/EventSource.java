package io.fanwire.server.drain;

/**
 * The connection side of an {@link EventSink}: lets the sink pause and resume reading from the socket,
 * and keep per-connection state of its own without a map lookup.
 */
public interface EventSource {

    /** Stops reading from the socket. Called on the connection's event loop. */
    void pauseReading();

    /** Resumes reading. May be called from any thread. */
    void resumeReading();

    /** The sink's per-connection state, or {@code null}. */
    Object sinkState();

    /** Sets the sink's per-connection state. */
    void sinkState(Object state);
}
