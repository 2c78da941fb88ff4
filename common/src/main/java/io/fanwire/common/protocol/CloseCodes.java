package io.fanwire.common.protocol;

/**
 * WebSocket close codes used by Fanwire (docs/PROTOCOL.md §6). Values below 4000 are RFC 6455 codes;
 * 4300 and 4401 are Fanwire's own, in the range RFC 6455 leaves to applications.
 */
public final class CloseCodes {

    /** Normal closure, also used for the idle timeout. */
    public static final int NORMAL = 1000;
    /** The server is stopping. */
    public static final int GOING_AWAY = 1001;
    /** A protocol error (malformed frames). */
    public static final int PROTOCOL_ERROR = 1002;
    /** Invalid UTF-8 in a text frame. */
    public static final int INVALID_PAYLOAD = 1007;
    /** Policy violation: abusive rate, repeated forbidden or malformed messages. */
    public static final int POLICY_VIOLATION = 1008;
    /** A frame or message above the size limit, or a decompression bomb. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** An internal server error. */
    public static final int INTERNAL_ERROR = 1011;
    /** The connection was evicted as a slow consumer; try again later. */
    public static final int TRY_AGAIN_LATER = 1013;
    /** Graceful drain: reconnect to another node after the {@code retry_after_ms} in the reason. */
    public static final int DRAINING = 4300;
    /** Authentication failed or the token expired. */
    public static final int AUTH_FAILED = 4401;

    private CloseCodes() {
    }

    /** A short name of {@code code} for logs and metric labels. */
    public static String name(int code) {
        return switch (code) {
            case NORMAL -> "normal";
            case GOING_AWAY -> "going_away";
            case PROTOCOL_ERROR -> "protocol_error";
            case 1005 -> "no_status";
            case 1006 -> "abnormal";
            case INVALID_PAYLOAD -> "invalid_payload";
            case POLICY_VIOLATION -> "policy_violation";
            case MESSAGE_TOO_BIG -> "message_too_big";
            case INTERNAL_ERROR -> "internal_error";
            case TRY_AGAIN_LATER -> "try_again_later";
            case DRAINING -> "draining";
            case AUTH_FAILED -> "auth_failed";
            default -> "other";
        };
    }
}
