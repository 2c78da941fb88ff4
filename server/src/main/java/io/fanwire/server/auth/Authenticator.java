package io.fanwire.server.auth;

import java.util.Map;

import io.fanwire.common.jwt.JwtVerifier;
import io.fanwire.common.jwt.TokenRejectedException;
import io.fanwire.common.jwt.VerifiedToken;
import io.fanwire.common.protocol.ErrorCode;
import io.fanwire.server.ServerConfig.AuthConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;

/** Decides whether a handshake request may connect, and as which user. Thread-safe. */
public final class Authenticator {

    /** The user of every connection when authentication is disabled. */
    public static final String ANONYMOUS = "anonymous";

    private final JwtVerifier verifier;
    private final TokenExtractor extractor;

    /**
     * @param verifier the token verifier, or {@code null} when authentication is disabled
     */
    public Authenticator(AuthConfig config, JwtVerifier verifier) {
        if (config.required() && verifier == null) {
            throw new IllegalArgumentException("verifier: null (expected: a verifier when authentication is required)");
        }
        this.verifier = config.required() ? verifier : null;
        this.extractor = new TokenExtractor(config.cookieName(), config.queryTokenEnabled());
    }

    /** Authenticates the request with {@code headers} and {@code query}. */
    public AuthResult authenticate(HttpHeaders headers, QueryStringDecoder query) {
        if (verifier == null) {
            return new AuthResult.Accepted(ANONYMOUS, Map.of(), null, null);
        }
        FoundToken found = extractor.extract(headers, query);
        if (found == null) {
            return new AuthResult.Rejected(ErrorCode.AUTH_REQUIRED,
                    "a token is required: Authorization: Bearer, the token cookie or the bearer.<token> subprotocol",
                    "missing");
        }
        try {
            VerifiedToken token = verifier.verify(found.token());
            return new AuthResult.Accepted(token.subject(), token.claims(), token.expiresAt(), found.carrier());
        } catch (TokenRejectedException e) {
            return new AuthResult.Rejected(ErrorCode.AUTH_FAILED, "invalid token: " + e.getMessage(),
                    e.reason().label());
        }
    }
}
