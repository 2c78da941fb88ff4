package io.fanwire.server.auth;

import java.util.Objects;

/**
 * A token found in a handshake request.
 *
 * @param token the compact JWT; never logged
 * @param carrier where it was found
 */
public record FoundToken(String token, TokenCarrier carrier) {

    public FoundToken {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(carrier, "carrier");
    }

    @Override
    public String toString() {
        return "FoundToken[" + carrier + ", " + token.length() + " chars]";
    }
}
