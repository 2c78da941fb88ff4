package io.fanwire.common.jwt;

import java.time.Clock;

/**
 * Verifies compact JWS tokens by the rules of docs/PROTOCOL.md §1. Thread-safe.
 */
public final class JwtVerifier {

    private final JwtVerifierConfig config;
    private final Clock clock;

    /**
     * @throws IllegalArgumentException when a key does not fit the algorithm or is too weak for it
     */
    public JwtVerifier(JwtVerifierConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** The configuration of this verifier. */
    public JwtVerifierConfig config() {
        return config;
    }

    /** Verifies {@code token}, returning its subject, expiry and claims. */
    public VerifiedToken verify(String token) throws TokenRejectedException {
        throw new UnsupportedOperationException("not implemented yet " + clock);
    }
}
