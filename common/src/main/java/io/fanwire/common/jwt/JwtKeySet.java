package io.fanwire.common.jwt;

import java.security.PublicKey;
import java.util.Map;

/**
 * Verification keys by key id ({@code kid}), such as those of a JWKS document that the server fetches and
 * refreshes. A {@link JwtVerifier} built with a key set looks the token header's {@code kid} up in
 * {@link #keys()}; the {@code kid} is only ever a key into that map, never a URL, a path or anything fetched.
 *
 * <p>Implementations are thread-safe and never block: both methods are called on event loops.
 */
public interface JwtKeySet {

    /**
     * The keys known now, by {@code kid}: an immutable map, replaced by a new one (never changed in place) when
     * the set changes, so that a verifier may cache what it derives from it by identity.
     */
    Map<String, PublicKey> keys();

    /**
     * A token named {@code kid}, which {@link #keys()} does not hold: the set may have rotated. The implementation
     * may refresh, asynchronously and rate-limited; the token at hand is rejected either way.
     */
    void unknownKid(String kid);
}
