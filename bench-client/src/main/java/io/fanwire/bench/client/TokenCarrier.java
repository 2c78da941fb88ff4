package io.fanwire.bench.client;

import java.util.Locale;

/** Where a connection presents its token (docs/PROTOCOL.md §1.2). */
public enum TokenCarrier {
    /** {@code Authorization: Bearer <jwt>}. */
    HEADER,
    /** {@code Cookie: access_token=<jwt>}. */
    COOKIE,
    /** {@code Sec-WebSocket-Protocol: fanwire.v1, bearer.<jwt>}. */
    SUBPROTOCOL,
    /** {@code ?token=<jwt>} (off by default on the server). */
    QUERY,
    /** No token: for raw peers and servers with authentication off. */
    NONE;

    /** Parses {@code header}, {@code cookie}, {@code subprotocol}, {@code query} or {@code none}. */
    public static TokenCarrier parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("token carrier: " + text
                    + " (expected: header, cookie, subprotocol, query or none)", e);
        }
    }
}
