package io.fanwire.common.jwt;

import java.security.Key;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import javax.crypto.SecretKey;

import io.jsonwebtoken.JwtBuilder;
import io.jsonwebtoken.Jwts;

/**
 * Mints signed tokens, for tests, development tokens and the bench client. Thread-safe and immutable: the
 * {@code with*} methods return a new minter.
 *
 * <p>A minted token carries, in this order of precedence (later wins):
 * <ol>
 *   <li>{@code sub}, {@code iat} (now), {@code exp} (now + ttl, truncated to seconds) and a random {@code jti};</li>
 *   <li>{@code iss} and {@code aud} from {@link #withIssuer} and {@link #withAudience}, when set;</li>
 *   <li>the extra claims: they override any of the above, and an extra claim mapped to {@code null} removes it,
 *       which is how tests mint a token without {@code exp} or {@code sub}.</li>
 * </ol>
 * Extra-claim values are serialised as JSON by jjwt (maps, lists, strings, numbers, booleans); for {@code exp},
 * {@code nbf} and {@code iat} pass epoch seconds, a {@link Date} or an {@link Instant}.
 */
public final class JwtMinter {

    private final JwtAlgorithm algorithm;
    private final Key signingKey;
    private final Clock clock;
    private final String issuer;
    private final String audience;
    private final String keyId;

    /**
     * @param signingKey a {@code SecretKey} for HS*, a {@code PrivateKey} for RS256/ES256
     * @param clock the time source for {@code iat} and {@code exp}
     * @throws IllegalArgumentException when the key does not fit the algorithm or is too weak for it
     */
    public JwtMinter(JwtAlgorithm algorithm, Key signingKey, Clock clock) {
        this(algorithm, signingKey, clock, null, null, null);
    }

    private JwtMinter(JwtAlgorithm algorithm, Key signingKey, Clock clock, String issuer, String audience,
                      String keyId) {
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        JwtKeys.requireSigningKey(algorithm, signingKey, "jwt key");
        this.signingKey = signingKey;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.issuer = issuer;
        this.audience = audience;
        this.keyId = keyId;
    }

    /** A minter that also sets {@code iss}, to match a verifier configured with an issuer. */
    public JwtMinter withIssuer(String issuer) {
        return new JwtMinter(algorithm, signingKey, clock, Objects.requireNonNull(issuer, "issuer"), audience, keyId);
    }

    /** A minter that also sets {@code aud} (a one-element array), to match a verifier with an audience. */
    public JwtMinter withAudience(String audience) {
        return new JwtMinter(algorithm, signingKey, clock, issuer, Objects.requireNonNull(audience, "audience"), keyId);
    }

    /** A minter that names its key in the header's {@code kid}, as a verifier with a key set (JWKS) needs. */
    public JwtMinter withKeyId(String keyId) {
        return new JwtMinter(algorithm, signingKey, clock, issuer, audience, Objects.requireNonNull(keyId, "keyId"));
    }

    /** The algorithm tokens are signed with. */
    public JwtAlgorithm algorithm() {
        return algorithm;
    }

    /**
     * A token for {@code subject} valid for {@code ttl} from now, with {@code extraClaims} added (see the class
     * description for precedence). A negative {@code ttl} mints an already expired token.
     */
    public String mint(String subject, Duration ttl, Map<String, ?> extraClaims) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(extraClaims, "extraClaims");
        Instant now = clock.instant();
        JwtBuilder builder = Jwts.builder()
                .subject(subject)
                .issuedAt(Date.from(now))
                .expiration(Date.from(now.plus(ttl)))
                .id(UUID.randomUUID().toString());
        if (keyId != null) {
            builder.header().keyId(keyId).and();
        }
        if (issuer != null) {
            builder.issuer(issuer);
        }
        if (audience != null) {
            builder.audience().add(audience).and();
        }
        JwtBuilder.BuilderClaims claims = builder.claims();
        extraClaims.forEach((name, value) -> {
            if (value == null) {
                claims.delete(name);
            } else {
                claims.add(name, value instanceof Instant instant ? Date.from(instant) : value);
            }
        });
        return sign(builder).compact();
    }

    /** A token for {@code subject} valid for {@code ttl} from now. */
    public String mint(String subject, Duration ttl) {
        return mint(subject, ttl, Map.of());
    }

    private JwtBuilder sign(JwtBuilder builder) {
        // The algorithm is explicit: jjwt would otherwise pick one from the key (e.g. HS512 for a 64-byte secret).
        return switch (algorithm) {
            case HS256 -> builder.signWith((SecretKey) signingKey, Jwts.SIG.HS256);
            case HS384 -> builder.signWith((SecretKey) signingKey, Jwts.SIG.HS384);
            case HS512 -> builder.signWith((SecretKey) signingKey, Jwts.SIG.HS512);
            case RS256 -> builder.signWith((PrivateKey) signingKey, Jwts.SIG.RS256);
            case ES256 -> builder.signWith((PrivateKey) signingKey, Jwts.SIG.ES256);
        };
    }
}
