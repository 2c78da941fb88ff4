package io.fanwire.bench.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The work of a worker process: what it does on each command of the coordinator. Implemented by the scenarios;
 * {@link WorkerLoop} runs it. Commands arrive one at a time, in order.
 */
public interface WorkerTask extends AutoCloseable {

    /**
     * Carries out {@code command} (its {@code op} names it) and returns the reply's fields; blocks until done.
     *
     * @throws IllegalArgumentException for a command this task does not know
     */
    ObjectNode handle(String op, JsonNode command) throws Exception;

    /** What the task's connections did so far, sent to the coordinator once a second for its progress line. */
    Sample sample();

    @Override
    void close();

    /**
     * A progress sample.
     *
     * @param connections open connections
     * @param sent        messages sent in the current tier
     * @param received    messages received in the current tier
     * @param errors      errors in the current tier
     */
    record Sample(int connections, long sent, long received, long errors) {
        public static final Sample EMPTY = new Sample(0, 0, 0, 0);
    }
}
