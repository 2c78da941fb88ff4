package io.fanwire.common.protocol;

/**
 * The {@code code} of an {@code error} message (docs/PROTOCOL.md §6), with whether a client may retry
 * the same request unchanged.
 */
public enum ErrorCode {
    AUTH_FAILED(false),
    AUTH_REQUIRED(false),
    RATE_LIMITED(true),
    MESSAGE_TOO_LARGE(false),
    INVALID_MESSAGE(false),
    INVALID_SUBSCRIPTION(false),
    INVALID_ACTION(false),
    FORBIDDEN(false),
    LIMIT_EXCEEDED(false),
    KEY_EXCHANGE_FAILED(false),
    SERVER_ERROR(true);

    private final boolean recoverable;

    ErrorCode(boolean recoverable) {
        this.recoverable = recoverable;
    }

    /** Whether the same request may succeed later without changes. */
    public boolean recoverable() {
        return recoverable;
    }
}
