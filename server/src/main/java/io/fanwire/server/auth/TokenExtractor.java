package io.fanwire.server.auth;

import java.util.List;
import java.util.Set;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;

/**
 * Finds the token of a handshake request in its four carriers, in the order of docs/PROTOCOL.md §1: the
 * {@code Authorization} header, the cookie, the subprotocol list, then (only when enabled) the query.
 * The first carrier that holds a token wins; an empty or placeholder value counts as absent.
 */
public final class TokenExtractor {

    /** The prefix of a subprotocol entry that carries a token. */
    public static final String SUBPROTOCOL_TOKEN_PREFIX = "bearer.";

    private static final String BEARER = "Bearer ";
    /** Values browsers and frameworks write into a cookie that was never set. */
    private static final Set<String> ABSENT_COOKIE_VALUES = Set.of("", "undefined", "null");

    private final String cookieName;
    private final boolean queryTokenEnabled;

    public TokenExtractor(String cookieName, boolean queryTokenEnabled) {
        this.cookieName = cookieName;
        this.queryTokenEnabled = queryTokenEnabled;
    }

    /** The request's token, or {@code null} when no carrier holds one. */
    public FoundToken extract(HttpHeaders headers, QueryStringDecoder query) {
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String token = authorization.substring(BEARER.length()).trim();
            if (!token.isEmpty()) {
                return new FoundToken(token, TokenCarrier.AUTHORIZATION_HEADER);
            }
        }
        for (String cookieHeader : headers.getAll(HttpHeaderNames.COOKIE)) {
            for (Cookie cookie : ServerCookieDecoder.LAX.decodeAll(cookieHeader)) {
                if (cookie.name().equals(cookieName) && !ABSENT_COOKIE_VALUES.contains(cookie.value())) {
                    return new FoundToken(cookie.value(), TokenCarrier.COOKIE);
                }
            }
        }
        for (String protocols : headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
            for (String entry : protocols.split(",")) {
                String p = entry.trim();
                if (p.startsWith(SUBPROTOCOL_TOKEN_PREFIX) && p.length() > SUBPROTOCOL_TOKEN_PREFIX.length()) {
                    return new FoundToken(p.substring(SUBPROTOCOL_TOKEN_PREFIX.length()), TokenCarrier.SUBPROTOCOL);
                }
            }
        }
        if (queryTokenEnabled) {
            List<String> values = query.parameters().get("token");
            if (values != null && !values.isEmpty() && !values.get(0).isEmpty()) {
                return new FoundToken(values.get(0), TokenCarrier.QUERY);
            }
        }
        return null;
    }
}
