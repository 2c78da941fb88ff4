package io.fanwire.bench.worker;

/** A worker process failed a command, did not answer in time, or exited: the run cannot go on. */
public final class WorkerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public WorkerException(String message) {
        super(message);
    }

    @Override
    public String toString() {
        return getMessage();
    }
}
