package io.fanwire.server.drain;

/**
 * Callback mode: the application's handler of inbound events. Called on the executor the application
 * gave, one event at a time per connection and in order; different connections may be handled in parallel.
 * An exception fails only the event that threw (it is counted and logged); later events still arrive.
 */
@FunctionalInterface
public interface EventHandler {

    /** Handles one event. */
    void handle(InboundEvent event) throws Exception;
}
