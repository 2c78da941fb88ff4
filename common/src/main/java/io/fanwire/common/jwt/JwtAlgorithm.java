package io.fanwire.common.jwt;

/** The signature algorithms Fanwire accepts; one is fixed by configuration, never taken from a token. */
public enum JwtAlgorithm {
    HS256, HS384, HS512, RS256, ES256;

    /** Whether this is an HMAC algorithm (a shared secret rather than a key pair). */
    public boolean hmac() {
        return this == HS256 || this == HS384 || this == HS512;
    }
}
