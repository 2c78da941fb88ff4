package io.fanwire.server.auth;

/** Where in the handshake request a token was found, in the order they are checked. */
public enum TokenCarrier {
    /** {@code Authorization: Bearer <jwt>}. */
    AUTHORIZATION_HEADER,
    /** The token cookie ({@code access_token} by default). */
    COOKIE,
    /** {@code Sec-WebSocket-Protocol: fanwire.v1, bearer.<jwt>}. */
    SUBPROTOCOL,
    /** {@code ?token=<jwt>}, when enabled. */
    QUERY
}
