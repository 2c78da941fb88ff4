package io.fanwire.common.jwt;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A token that passed every check.
 *
 * @param subject the {@code sub} claim: the user id
 * @param expiresAt the {@code exp} claim
 * @param claims every claim of the token, unmodifiable
 */
public record VerifiedToken(String subject, Instant expiresAt, Map<String, Object> claims) {

    public VerifiedToken {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(expiresAt, "expiresAt");
        claims = Map.copyOf(claims);
    }
}
