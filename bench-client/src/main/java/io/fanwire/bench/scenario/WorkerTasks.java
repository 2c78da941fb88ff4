package io.fanwire.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;

import io.fanwire.bench.worker.WorkerTask;

/** Makes a worker process's task: the scenarios' per-process work ({@link ProcessSlice}). */
public final class WorkerTasks {

    private WorkerTasks() {
    }

    /** The task the coordinator's {@code configure} command describes. */
    public static WorkerTask configure(JsonNode command) {
        return ProcessSlice.configure(command);
    }
}
