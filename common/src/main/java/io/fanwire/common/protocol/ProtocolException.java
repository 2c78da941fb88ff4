package io.fanwire.common.protocol;

import java.util.Objects;

/**
 * A message that breaks the protocol. The receiver answers it with an {@code error} of {@link #code()}
 * and keeps the connection, or closes with {@link #closeCode()} when that is not {@link #KEEP_OPEN}.
 */
public final class ProtocolException extends Exception {

    /** {@link #closeCode()} of a violation the connection survives. */
    public static final int KEEP_OPEN = 0;

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final int closeCode;

    public ProtocolException(ErrorCode code, String message) {
        this(code, KEEP_OPEN, message, null);
    }

    public ProtocolException(ErrorCode code, int closeCode, String message, Throwable cause) {
        // Stack traces of client mistakes are never logged, so they are not filled in.
        super(Objects.requireNonNull(message, "message"), cause, false, false);
        this.code = Objects.requireNonNull(code, "code");
        this.closeCode = closeCode;
    }

    /** The error code to answer with. */
    public ErrorCode code() {
        return code;
    }

    /** The close code to close the connection with, or {@link #KEEP_OPEN}. */
    public int closeCode() {
        return closeCode;
    }

    /** Whether the connection must be closed. */
    public boolean fatal() {
        return closeCode != KEEP_OPEN;
    }
}
