package io.fanwire.server.auth;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

import io.fanwire.common.protocol.ErrorCode;

/** The outcome of authenticating a handshake request. */
public sealed interface AuthResult permits AuthResult.Accepted, AuthResult.Rejected {

    /**
     * The client may connect.
     *
     * @param userId the token's {@code sub}
     * @param claims the token's claims
     * @param expiresAt the token's {@code exp}, or {@code null} when authentication is disabled
     * @param carrier where the token was, or {@code null} when authentication is disabled
     */
    record Accepted(String userId, Map<String, Object> claims, Instant expiresAt, TokenCarrier carrier)
            implements AuthResult {
        public Accepted {
            Objects.requireNonNull(userId, "userId");
            Objects.requireNonNull(claims, "claims");
        }
    }

    /**
     * The client may not connect; answered with 401 and a JSON body.
     *
     * @param code {@link ErrorCode#AUTH_REQUIRED} (no token) or {@link ErrorCode#AUTH_FAILED}
     * @param message what the client is told
     * @param reason the metric label (a bounded set: {@code missing} or a token rejection reason)
     */
    record Rejected(ErrorCode code, String message, String reason) implements AuthResult {
        public Rejected {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
