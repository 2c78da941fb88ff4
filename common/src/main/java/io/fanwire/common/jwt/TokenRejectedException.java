package io.fanwire.common.jwt;

import java.util.Locale;
import java.util.Objects;

/** A token that failed verification, with the reason (a bounded set, fit for metric labels). */
public final class TokenRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why a token was rejected. */
    public enum Reason {
        /** Longer than the configured maximum; rejected before parsing. */
        TOO_LARGE,
        /** Not a compact JWS, bad base64 or JSON. */
        MALFORMED,
        /** {@code alg: none} or no signature. */
        UNSECURED,
        /** A compressed ({@code zip}) token. */
        COMPRESSED,
        /** The header's {@code alg} is not the configured algorithm. */
        WRONG_ALGORITHM,
        /** The signature does not verify with the current or previous key. */
        BAD_SIGNATURE,
        /**
         * The header's {@code kid} names no key of the key set (JWKS), or the token has no {@code kid} and there is no
         * configured key to fall back on. The key set may learn the key with its next refresh.
         */
        UNKNOWN_KEY,
        /** {@code exp} is in the past (beyond the leeway). */
        EXPIRED,
        /** {@code nbf} is in the future (beyond the leeway). */
        NOT_YET_VALID,
        /** No {@code exp} claim. */
        MISSING_EXPIRY,
        /** No {@code sub} claim, or an empty one. */
        MISSING_SUBJECT,
        /** {@code iss} differs from the configured issuer. */
        WRONG_ISSUER,
        /** {@code aud} does not contain the configured audience. */
        WRONG_AUDIENCE;

        /** The lower-case name used in metric labels and logs. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    public TokenRejectedException(Reason reason, String message) {
        super(Objects.requireNonNull(message, "message"), null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the token was rejected. */
    public Reason reason() {
        return reason;
    }
}
