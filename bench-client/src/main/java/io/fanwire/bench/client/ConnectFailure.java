package io.fanwire.bench.client;

import java.io.Serial;

/**
 * A connection that did not become ready: refused upgrade (with its HTTP status), timeout, or a transport
 * error. {@link #reason()} is a short stable label for counting.
 */
public final class ConnectFailure extends Exception {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String reason;
    private final int httpStatus;

    public ConnectFailure(String reason, int httpStatus, String message, Throwable cause) {
        super(message, cause, false, false);
        this.reason = reason;
        this.httpStatus = httpStatus;
    }

    /** {@code http_401}, {@code timeout}, {@code refused}, {@code closed}, {@code io}… */
    public String reason() {
        return reason;
    }

    /** The HTTP status of a refused upgrade, or -1. */
    public int httpStatus() {
        return httpStatus;
    }
}
