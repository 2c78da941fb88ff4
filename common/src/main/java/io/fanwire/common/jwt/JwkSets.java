package io.fanwire.common.jwt;

import java.security.Key;
import java.security.PublicKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import io.jsonwebtoken.io.Parser;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;

/**
 * Reads JWK Set documents (RFC 7517 §5) into verification keys, with jjwt's JWK parser. Only what may verify the
 * configured algorithm is kept: public RSA keys of 2048 bits or more for RS256, public P-256 keys for ES256, each
 * with a {@code kid}, a {@code use} of {@code sig} (or none) and an {@code alg} of the configured one (or none).
 * Everything else (private or symmetric keys, other curves, encryption keys, key types jjwt does not know) is
 * skipped, not an error: a provider's set often holds keys for other purposes.
 */
public final class JwkSets {

    /** Large enough for any real key set (a few keys of a few hundred bytes each), small enough to parse on a whim. */
    public static final int MAX_DOCUMENT_CHARS = 256 * 1024;

    private static final Parser<JwkSet> PARSER = Jwks.setParser().ignoreUnsupported(true).build();

    private JwkSets() {
    }

    /**
     * The keys of {@code json} that verify {@code algorithm}, by {@code kid}, in document order; the first of two
     * keys with the same {@code kid} wins.
     *
     * @throws IllegalArgumentException when {@code json} is not a JWK Set, or larger than {@link #MAX_DOCUMENT_CHARS}
     */
    public static Map<String, PublicKey> verificationKeys(JwtAlgorithm algorithm, String json) {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(json, "json");
        if (algorithm.hmac()) {
            throw new IllegalArgumentException("algorithm: " + algorithm + " (expected: RS256 or ES256 for a key set)");
        }
        if (json.length() > MAX_DOCUMENT_CHARS) {
            throw new IllegalArgumentException("key set of " + json.length() + " characters (expected: at most "
                    + MAX_DOCUMENT_CHARS + ")");
        }
        JwkSet set;
        try {
            set = PARSER.parse(json);
        } catch (RuntimeException e) {
            // jjwt's messages may quote the document; it came from the network, keep it out of the logs.
            throw new IllegalArgumentException("not a JWK Set (" + e.getClass().getSimpleName() + ")", e);
        }
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (Jwk<?> jwk : set.getKeys()) {
            String kid = jwk.getId();
            if (kid == null || kid.isEmpty() || keys.containsKey(kid)) {
                continue;
            }
            Object use = jwk.get("use");
            if (use != null && !"sig".equals(use)) {
                continue;
            }
            if (jwk.getAlgorithm() != null && !jwk.getAlgorithm().equals(algorithm.name())) {
                continue;
            }
            Key key = jwk.toKey();
            if (!(key instanceof PublicKey publicKey)) {
                continue;
            }
            try {
                JwtKeys.requireVerificationKey(algorithm, publicKey, "jwk " + kid);
            } catch (IllegalArgumentException wrongTypeOrWeak) {
                continue;
            }
            keys.put(kid, publicKey);
        }
        return Collections.unmodifiableMap(keys);
    }
}
