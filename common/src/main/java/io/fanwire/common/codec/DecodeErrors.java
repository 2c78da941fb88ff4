package io.fanwire.common.codec;

import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.common.protocol.ErrorCode;
import io.fanwire.common.protocol.ProtocolException;

/**
 * The two ways a decoder rejects input (docs/PROTOCOL.md §2, §6): a malformed message the connection
 * survives, or one that breaks a size, depth or decompression limit and closes it with 1009.
 */
final class DecodeErrors {

    private DecodeErrors() {
    }

    static ProtocolException invalid(String message) {
        return new ProtocolException(ErrorCode.INVALID_MESSAGE, message);
    }

    static ProtocolException invalid(String message, Throwable cause) {
        return new ProtocolException(ErrorCode.INVALID_MESSAGE, ProtocolException.KEEP_OPEN, message, cause);
    }

    static ProtocolException tooLarge(String message) {
        return tooLarge(message, null);
    }

    static ProtocolException tooLarge(String message, Throwable cause) {
        return new ProtocolException(ErrorCode.MESSAGE_TOO_LARGE, CloseCodes.MESSAGE_TOO_BIG, message, cause);
    }
}
