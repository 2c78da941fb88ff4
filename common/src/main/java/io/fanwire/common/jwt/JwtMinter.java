package io.fanwire.common.jwt;

import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/** Mints signed tokens, for tests, development tokens and the bench client. Thread-safe. */
public final class JwtMinter {

    private final JwtAlgorithm algorithm;
    private final Key signingKey;
    private final Clock clock;

    /**
     * @param signingKey a {@code SecretKey} for HS*, a {@code PrivateKey} for RS256/ES256
     * @throws IllegalArgumentException when the key does not fit the algorithm or is too weak for it
     */
    public JwtMinter(JwtAlgorithm algorithm, Key signingKey, Clock clock) {
        this.algorithm = algorithm;
        this.signingKey = signingKey;
        this.clock = clock;
    }

    /** A token for {@code subject} valid for {@code ttl} from now, with {@code extraClaims} added. */
    public String mint(String subject, Duration ttl, Map<String, ?> extraClaims) {
        throw new UnsupportedOperationException("not implemented yet " + algorithm + signingKey + clock);
    }

    /** A token for {@code subject} valid for {@code ttl} from now. */
    public String mint(String subject, Duration ttl) {
        return mint(subject, ttl, Map.of());
    }
}
