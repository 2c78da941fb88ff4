package io.fanwire.server.drain;

/**
 * Where connections hand their events: the drain queue or the callback dispatcher. Called on event loops;
 * never blocks.
 */
public interface EventSink {

    /**
     * Accepts {@code event} from {@code source}. Connect and disconnect events are always accepted; a
     * message may be refused when the sink is at capacity, and the caller must then tell the client.
     *
     * @return whether the event was accepted
     */
    boolean offer(InboundEvent event, EventSource source);

    /** Forgets {@code source}, which has delivered its last event. */
    void release(EventSource source);
}
