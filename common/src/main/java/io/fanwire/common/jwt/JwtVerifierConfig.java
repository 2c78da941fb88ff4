package io.fanwire.common.jwt;

import java.security.Key;
import java.time.Duration;
import java.util.Objects;

/**
 * How tokens are verified.
 *
 * @param algorithm the only algorithm accepted
 * @param key the verification key: a {@code SecretKey} for HS*, a {@code PublicKey} for RS256/ES256; or {@code null}
 *     when every key comes from a {@link JwtKeySet} (RS256/ES256 only), given to the verifier
 * @param previousKey a key still accepted during rotation, or {@code null}
 * @param issuer the required {@code iss}, or {@code null} to accept any
 * @param audience the required {@code aud}, or {@code null} to accept any
 * @param leeway the clock skew tolerated on {@code exp} and {@code nbf}; whole seconds, because JWT times are
 *     whole seconds (and jjwt counts skew in seconds)
 * @param maxTokenBytes tokens longer than this are rejected before parsing
 */
public record JwtVerifierConfig(JwtAlgorithm algorithm, Key key, Key previousKey, String issuer, String audience,
                                Duration leeway, int maxTokenBytes) {

    /** Tolerates ordinary clock drift between the issuer and us without keeping expired tokens alive for long. */
    public static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(30);
    /** Generous for real tokens (with ACL claims), small enough that a handshake cannot be made expensive. */
    public static final int DEFAULT_MAX_TOKEN_BYTES = 8 * 1024;

    public JwtVerifierConfig {
        Objects.requireNonNull(algorithm, "algorithm");
        if (key == null && previousKey != null) {
            throw new IllegalArgumentException("previousKey: set (expected: none without a key)");
        }
        if (key == null && algorithm.hmac()) {
            throw new IllegalArgumentException("key: null (expected: a secret for " + algorithm + ")");
        }
        Objects.requireNonNull(leeway, "leeway");
        if (leeway.isNegative()) {
            throw new IllegalArgumentException("leeway: " + leeway + " (expected: >= 0)");
        }
        if (leeway.getNano() != 0) {
            throw new IllegalArgumentException("leeway: " + leeway + " (expected: whole seconds)");
        }
        if (issuer != null && issuer.isBlank()) {
            throw new IllegalArgumentException("issuer: '" + issuer + "' (expected: null or not blank)");
        }
        if (audience != null && audience.isBlank()) {
            throw new IllegalArgumentException("audience: '" + audience + "' (expected: null or not blank)");
        }
        if (maxTokenBytes <= 0) {
            throw new IllegalArgumentException("maxTokenBytes: " + maxTokenBytes + " (expected: > 0)");
        }
    }

    /**
     * A builder for {@code algorithm} with verification key {@code key}; {@code null} when the keys come only from a
     * {@link JwtKeySet} (RS256 and ES256).
     */
    public static Builder builder(JwtAlgorithm algorithm, Key key) {
        return new Builder(algorithm, key);
    }

    /** Builds a {@link JwtVerifierConfig}; optional settings start at their {@code DEFAULT_*}. */
    public static final class Builder {
        private final JwtAlgorithm algorithm;
        private final Key key;
        private Key previousKey;
        private String issuer;
        private String audience;
        private Duration leeway = DEFAULT_LEEWAY;
        private int maxTokenBytes = DEFAULT_MAX_TOKEN_BYTES;

        private Builder(JwtAlgorithm algorithm, Key key) {
            this.algorithm = algorithm;
            this.key = key;
        }

        /** A key still accepted while issuers move to the new one; remove it once old tokens have expired. */
        public Builder previousKey(Key previousKey) {
            this.previousKey = previousKey;
            return this;
        }

        /** Requires {@code iss} to equal {@code issuer} exactly; {@code null} (the default) accepts any. */
        public Builder issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        /** Requires {@code aud} to contain {@code audience}; {@code null} (the default) accepts any. */
        public Builder audience(String audience) {
            this.audience = audience;
            return this;
        }

        /** The clock skew tolerated on {@code exp} and {@code nbf}, whole seconds; default {@link #DEFAULT_LEEWAY}. */
        public Builder leeway(Duration leeway) {
            this.leeway = leeway;
            return this;
        }

        /** Tokens longer than this are refused unparsed; default {@link #DEFAULT_MAX_TOKEN_BYTES}. */
        public Builder maxTokenBytes(int maxTokenBytes) {
            this.maxTokenBytes = maxTokenBytes;
            return this;
        }

        /** The configuration; argument errors are thrown here. */
        public JwtVerifierConfig build() {
            return new JwtVerifierConfig(algorithm, key, previousKey, issuer, audience, leeway, maxTokenBytes);
        }
    }
}
