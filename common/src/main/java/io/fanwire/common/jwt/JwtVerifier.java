package io.fanwire.common.jwt;

import java.io.IOException;
import java.security.Key;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import javax.crypto.SecretKey;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;

import io.fanwire.common.jwt.TokenRejectedException.Reason;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.InvalidClaimException;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.JwtParserBuilder;
import io.jsonwebtoken.MalformedJwtException;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.PrematureJwtException;
import io.jsonwebtoken.UnsupportedJwtException;
import io.jsonwebtoken.security.SecureDigestAlgorithm;
import io.jsonwebtoken.security.SecurityException;

/**
 * Verifies compact JWS tokens by the rules of docs/PROTOCOL.md §1. Thread-safe; one instance serves every
 * handshake.
 *
 * <p>Verification runs in two stages:
 * <ol>
 *   <li>A pre-check of our own, before jjwt sees the token: the size limit, the compact shape (three base64url
 *       parts), and the protected header. The header decides the reasons that jjwt would report only as generic
 *       exceptions, or report after doing work we want to avoid: {@code alg: none} ({@link Reason#UNSECURED}), an
 *       {@code alg} other than the configured one ({@link Reason#WRONG_ALGORITHM}, which also defeats
 *       "HS256 signed with the RSA public key"), a {@code zip} header ({@link Reason#COMPRESSED}, never
 *       decompressed), an empty signature part ({@link Reason#UNSECURED}), and extensions we do not implement
 *       ({@code crit}, {@code b64}, {@code enc}: {@link Reason#MALFORMED}).</li>
 *   <li>jjwt, with a parser built once and restricted to the configured algorithm, no compression and no
 *       encryption: signature (then the previous key, when configured), {@code exp}/{@code nbf} with the leeway,
 *       {@code iss}/{@code aud}. Finally {@code exp} and {@code sub} must be present.</li>
 * </ol>
 *
 * <p>Reason mapping worth knowing: a token that is not three base64url parts, bad base64, a header or payload
 * that is not a JSON object, a payload with a {@code cty} header, and a five-part JWE are {@link Reason#MALFORMED};
 * a token with a valid shape whose signature does not match (wrong key, tampered payload or header, a signature
 * of the wrong length) is {@link Reason#BAD_SIGNATURE}; a missing signature is {@link Reason#UNSECURED} whatever
 * the header says. Checks after the signature run in jjwt's order: {@code exp}, {@code nbf}, {@code iss},
 * {@code aud}, then ours: {@code exp} present, {@code sub} present.
 *
 * <p>Rejection messages never contain the token or values read from it (they end up in logs, and the header is
 * attacker-controlled).
 */
public final class JwtVerifier {

    private static final String NONE = "none";

    /** Base64url alphabet (RFC 4648 §5), unpadded as RFC 7515 requires. */
    private static final boolean[] BASE64URL = base64UrlAlphabet();

    /**
     * Parses only the protected header, which is tiny and untrusted: duplicate names are refused (so we and jjwt
     * cannot read different {@code alg} values) and nesting is capped.
     */
    private static final JsonFactory HEADER_JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).build())
            .build();

    private final JwtVerifierConfig config;
    private final String algorithmId;
    /** The configured key's parser, or {@code null} when every key comes from the key set. */
    private final JwtParser parser;
    private final JwtParser previousKeyParser;
    private final JwtKeySet keySet;
    private final io.jsonwebtoken.Clock jjwtClock;
    /** Parsers for the key set's keys, derived from one {@link JwtKeySet#keys()} snapshot; rebuilt when it changes. */
    private volatile KeySetParsers keySetParsers;

    private record KeySetParsers(Map<String, PublicKey> keys, Map<String, JwtParser> parsers) {
    }

    /**
     * Checks the keys and builds the parsers, so that a bad configuration fails at startup and a handshake does
     * no setup work.
     *
     * @param clock the time source for {@code exp} and {@code nbf}; tests pass a fixed clock
     * @throws IllegalArgumentException when a key does not fit the algorithm or is too weak for it
     */
    public JwtVerifier(JwtVerifierConfig config, Clock clock) {
        this(config, null, clock);
    }

    /**
     * A verifier that also takes keys from {@code keySet} (a JWKS): a token whose header's {@code kid} is in the set
     * is verified with that key only; any other token with the configured key (and previous key), when there is
     * one. A token whose {@code kid} the set does not hold is tried with the configured key; only when that fails
     * too (or there is none) is the kid reported to the set ({@link JwtKeySet#unknownKid}) and the token rejected as
     * {@link Reason#UNKNOWN_KEY}. Verification never waits for
     * the set.
     *
     * @param keySet the key set, or {@code null} for the configured keys only
     * @throws IllegalArgumentException when a key does not fit the algorithm or is too weak for it, when there is
     *         neither a configured key nor a key set, or with a key set for an HMAC algorithm
     */
    public JwtVerifier(JwtVerifierConfig config, JwtKeySet keySet, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        if (keySet != null && config.algorithm().hmac()) {
            throw new IllegalArgumentException("keySet: set (expected: none for " + config.algorithm()
                    + "; key sets hold public keys for RS256 or ES256)");
        }
        if (config.key() != null || keySet == null) {
            JwtKeys.requireVerificationKey(config.algorithm(), config.key(), "jwt key");
        }
        if (config.previousKey() != null) {
            JwtKeys.requireVerificationKey(config.algorithm(), config.previousKey(), "jwt previousKey");
        }
        this.algorithmId = config.algorithm().name();
        this.keySet = keySet;
        this.jjwtClock = () -> Date.from(clock.instant());
        this.parser = config.key() == null ? null : parser(config, config.key(), jjwtClock);
        this.previousKeyParser = config.previousKey() == null ? null
                : parser(config, config.previousKey(), jjwtClock);
    }

    /** The configuration of this verifier. */
    public JwtVerifierConfig config() {
        return config;
    }

    /**
     * Verifies {@code token}, returning its subject, expiry and claims.
     *
     * <p>The claims map mirrors the token's JSON: nested objects are {@code Map}s, arrays {@code List}s (both
     * unmodifiable), numbers and strings as parsed. Registered claims are normalised: {@code exp},
     * {@code nbf} and {@code iat} are {@code Long} epoch seconds, and {@code aud} is always a {@code List} of
     * strings, whether the token carried a string or an array. Claims whose value is JSON {@code null} are absent.
     *
     * @throws TokenRejectedException with the first reason found, in the order described on this class
     */
    public VerifiedToken verify(String token) throws TokenRejectedException {
        if (token == null || token.isEmpty()) {
            throw reject(Reason.MALFORMED, "empty token");
        }
        int length = token.length();
        // Compact JWS is ASCII, so chars are bytes; any other char is refused below as MALFORMED.
        if (length > config.maxTokenBytes()) {
            throw reject(Reason.TOO_LARGE, "token of " + length + " bytes is over the limit of "
                    + config.maxTokenBytes());
        }
        int firstDot = -1;
        int secondDot = -1;
        int dots = 0;
        for (int i = 0; i < length; i++) {
            char c = token.charAt(i);
            if (c == '.') {
                if (dots == 0) {
                    firstDot = i;
                } else if (dots == 1) {
                    secondDot = i;
                }
                dots++;
            } else if (c >= BASE64URL.length || !BASE64URL[c]) {
                throw reject(Reason.MALFORMED, "character outside the base64url alphabet at index " + i);
            }
        }
        if (dots == 4) {
            throw reject(Reason.MALFORMED, "encrypted tokens (JWE) are not accepted");
        }
        if (dots != 2) {
            throw reject(Reason.MALFORMED, "not a compact JWS: " + (dots + 1) + " parts (expected: 3)");
        }
        String kid = checkHeader(token, firstDot);
        if (secondDot == length - 1) {
            throw reject(Reason.UNSECURED, "the token has no signature");
        }

        Claims claims = parseSigned(token, kid);
        if (claims.getExpiration() == null) {
            throw reject(Reason.MISSING_EXPIRY, "no exp claim");
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank()) {
            throw reject(Reason.MISSING_SUBJECT, "no sub claim, or a blank one");
        }
        return new VerifiedToken(subject, claims.getExpiration().toInstant(), plainClaims(claims));
    }

    /** Checks the protected header; returns its {@code kid}, or {@code null}. */
    private String checkHeader(String token, int headerEnd) throws TokenRejectedException {
        if (headerEnd == 0) {
            throw reject(Reason.MALFORMED, "empty header");
        }
        byte[] json;
        try {
            json = Base64.getUrlDecoder().decode(token.substring(0, headerEnd));
        } catch (IllegalArgumentException e) {
            throw reject(Reason.MALFORMED, "the header is not valid base64url");
        }
        String alg = null;
        String kid = null;
        String extension = null;
        boolean compressed = false;
        try (JsonParser header = HEADER_JSON.createParser(json)) {
            if (header.nextToken() != JsonToken.START_OBJECT) {
                throw reject(Reason.MALFORMED, "the header is not a JSON object");
            }
            while (header.nextToken() == JsonToken.FIELD_NAME) {
                String name = header.currentName();
                JsonToken value = header.nextToken();
                switch (name) {
                    case "alg" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            throw reject(Reason.MALFORMED, "the header's alg is not a string");
                        }
                        alg = header.getText();
                    }
                    case "kid" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            throw reject(Reason.MALFORMED, "the header's kid is not a string");
                        }
                        kid = header.getText();
                    }
                    case "zip" -> compressed = true;
                    case "crit", "b64", "enc" -> extension = name;
                    default -> {
                        // typ, cty and others: not ours to judge here (jjwt reads cty).
                    }
                }
                header.skipChildren();
            }
            if (header.currentToken() != JsonToken.END_OBJECT || header.nextToken() != null) {
                throw reject(Reason.MALFORMED, "the header is not a single JSON object");
            }
        } catch (IOException e) {
            // Jackson's message may quote header bytes; keep it out of the rejection.
            throw reject(Reason.MALFORMED, "the header is not valid JSON");
        }
        if (alg == null) {
            throw reject(Reason.MALFORMED, "the header has no alg");
        }
        if (alg.equalsIgnoreCase(NONE)) {
            throw reject(Reason.UNSECURED, "alg none is never accepted");
        }
        if (!alg.equals(algorithmId)) {
            throw reject(Reason.WRONG_ALGORITHM, "the header's alg is not the configured " + algorithmId);
        }
        if (compressed) {
            throw reject(Reason.COMPRESSED, "compressed (zip) tokens are not accepted");
        }
        if (extension != null) {
            throw reject(Reason.MALFORMED, "unsupported header parameter " + extension);
        }
        return kid;
    }

    private Claims parseSigned(String token, String kid) throws TokenRejectedException {
        boolean unknownKid = false;
        if (keySet != null) {
            if (kid != null) {
                JwtParser fromSet = keySetParsers().get(kid);
                if (fromSet != null) {
                    try {
                        return fromSet.parseSignedClaims(token).getPayload();
                    } catch (SecurityException e) {
                        throw reject(Reason.BAD_SIGNATURE, "the signature does not match the key set's key of its kid");
                    } catch (JwtException | IllegalArgumentException | IllegalStateException e) {
                        throw map(e);
                    }
                }
                // Not reported yet: a token of the configured key may carry a kid too, and must not make every
                // handshake ask for a fetch. Only when the fallback fails as well is the kid unknown.
                unknownKid = true;
            }
            if (parser == null) {
                if (kid == null) {
                    throw reject(Reason.UNKNOWN_KEY, "the token has no kid, and there is no configured key");
                }
                throw unknownKey(kid);
            }
        }
        try {
            return parser.parseSignedClaims(token).getPayload();
        } catch (SecurityException e) {
            if (previousKeyParser == null) {
                throw unknownKid ? unknownKey(kid)
                        : reject(Reason.BAD_SIGNATURE, "the signature does not match the key");
            }
        } catch (JwtException | IllegalArgumentException | IllegalStateException e) {
            throw map(e);
        }
        try {
            return previousKeyParser.parseSignedClaims(token).getPayload();
        } catch (SecurityException e) {
            throw unknownKid ? unknownKey(kid)
                    : reject(Reason.BAD_SIGNATURE, "the signature matches neither the key nor the previous key");
        } catch (JwtException | IllegalArgumentException | IllegalStateException e) {
            throw map(e);
        }
    }

    /** Reports {@code kid} to the key set (which may refresh) and rejects the token as {@link Reason#UNKNOWN_KEY}. */
    private TokenRejectedException unknownKey(String kid) {
        keySet.unknownKid(kid);
        // The kid is the token's, so attacker-controlled: never part of the message.
        return reject(Reason.UNKNOWN_KEY, "no key of the key set has the token's kid");
    }

    /**
     * Whether any token could verify now: there is a configured key, or the key set holds at least one key. False
     * with only a key set whose fetches have all failed so far, when every token would be refused.
     */
    public boolean hasKeys() {
        return parser != null || keySet != null && !keySet.keys().isEmpty();
    }

    /** The parsers of the key set's current keys; built once per snapshot, off no lock (a race builds twice). */
    private Map<String, JwtParser> keySetParsers() {
        Map<String, PublicKey> keys = keySet.keys();
        KeySetParsers cached = keySetParsers;
        if (cached != null && cached.keys() == keys) {
            return cached.parsers();
        }
        Map<String, JwtParser> parsers = new java.util.HashMap<>(keys.size() * 2);
        for (Map.Entry<String, PublicKey> e : keys.entrySet()) {
            try {
                JwtKeys.requireVerificationKey(config.algorithm(), e.getValue(), "key set key");
            } catch (IllegalArgumentException wrongTypeOrWeak) {
                // A key set may carry keys for other algorithms; they verify nothing here.
                continue;
            }
            parsers.put(e.getKey(), parser(config, e.getValue(), jjwtClock));
        }
        cached = new KeySetParsers(keys, Map.copyOf(parsers));
        keySetParsers = cached;
        return cached.parsers();
    }

    /**
     * Maps what jjwt throws after the signature check (or for input our pre-check let through) to a reason.
     * Anything not recognised is {@code MALFORMED}: jjwt documents {@code IllegalArgumentException} for bad input,
     * and a hostile token must never escape as an unexpected exception.
     */
    private static TokenRejectedException map(RuntimeException e) {
        return switch (e) {
            case ExpiredJwtException ignored -> reject(Reason.EXPIRED, "exp is past (beyond the leeway)");
            case PrematureJwtException ignored -> reject(Reason.NOT_YET_VALID, "nbf is ahead (beyond the leeway)");
            case InvalidClaimException invalid when Claims.ISSUER.equals(invalid.getClaimName()) ->
                    reject(Reason.WRONG_ISSUER, "iss is missing or not the configured issuer");
            case InvalidClaimException invalid when Claims.AUDIENCE.equals(invalid.getClaimName()) ->
                    reject(Reason.WRONG_AUDIENCE, "aud is missing or does not contain the configured audience");
            case SecurityException ignored -> reject(Reason.BAD_SIGNATURE, "the signature does not verify");
            // After our pre-check, jjwt's "unsupported" means a payload that is not a JSON object of claims
            // (not JSON, a duplicate member, a cty header).
            case UnsupportedJwtException ignored -> reject(Reason.MALFORMED, "the payload is not a JSON claims object");
            case MalformedJwtException ignored -> reject(Reason.MALFORMED, "invalid base64url, JSON or claim value");
            default -> reject(Reason.MALFORMED, "not a valid signed JWT (" + e.getClass().getSimpleName() + ")");
        };
    }

    private static TokenRejectedException reject(Reason reason, String message) {
        return new TokenRejectedException(reason, message);
    }

    private static JwtParser parser(JwtVerifierConfig config, Key key, io.jsonwebtoken.Clock clock) {
        JwtParserBuilder builder = Jwts.parser()
                .clock(clock)
                .clockSkewSeconds(config.leeway().toSeconds())
                // Defence in depth behind the header pre-check: jjwt itself knows one algorithm, and neither
                // compression nor encryption.
                .sig().clear().add(signatureAlgorithm(config.algorithm())).and()
                .zip().clear().and()
                .enc().clear().and()
                .key().clear().and();
        if (key instanceof SecretKey secret) {
            builder.verifyWith(secret);
        } else {
            builder.verifyWith((PublicKey) key);
        }
        if (config.issuer() != null) {
            builder.requireIssuer(config.issuer());
        }
        if (config.audience() != null) {
            builder.requireAudience(config.audience());
        }
        return builder.build();
    }

    private static SecureDigestAlgorithm<?, ?> signatureAlgorithm(JwtAlgorithm algorithm) {
        return switch (algorithm) {
            case HS256 -> Jwts.SIG.HS256;
            case HS384 -> Jwts.SIG.HS384;
            case HS512 -> Jwts.SIG.HS512;
            case RS256 -> Jwts.SIG.RS256;
            case ES256 -> Jwts.SIG.ES256;
        };
    }

    private static Map<String, Object> plainClaims(Claims claims) {
        Map<String, Object> plain = new LinkedHashMap<>(claims.size() * 2);
        for (Map.Entry<String, Object> claim : claims.entrySet()) {
            String name = claim.getKey();
            Object value = claim.getValue();
            if (value == null) {
                continue;
            }
            if (Claims.AUDIENCE.equals(name)) {
                value = value instanceof Collection<?> audiences ? audiences : List.of(value);
            }
            plain.put(name, plain(value));
        }
        return plain;
    }

    /** JSON-shaped values: jjwt's canonical values, with dates as epoch seconds and collections as lists. */
    private static Object plain(Object value) {
        return switch (value) {
            case Map<?, ?> map -> {
                Map<String, Object> copy = new LinkedHashMap<>(map.size() * 2);
                map.forEach((k, v) -> copy.put(String.valueOf(k), v == null ? null : plain(v)));
                yield Collections.unmodifiableMap(copy);
            }
            case Collection<?> collection -> {
                List<Object> copy = new ArrayList<>(collection.size());
                for (Object element : collection) {
                    copy.add(element == null ? null : plain(element));
                }
                yield Collections.unmodifiableList(copy);
            }
            case Date date -> Math.floorDiv(date.getTime(), 1000L);
            case Instant instant -> instant.getEpochSecond();
            default -> value;
        };
    }

    private static boolean[] base64UrlAlphabet() {
        boolean[] alphabet = new boolean[128];
        for (char c = 'A'; c <= 'Z'; c++) {
            alphabet[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            alphabet[c] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            alphabet[c] = true;
        }
        alphabet['-'] = true;
        alphabet['_'] = true;
        return alphabet;
    }
}
