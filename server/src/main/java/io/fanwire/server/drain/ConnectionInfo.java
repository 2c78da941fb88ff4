package io.fanwire.server.drain;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import io.fanwire.common.codec.WireFormat;

/**
 * What the application knows about a connection, shared by its events. Immutable; a successful token refresh
 * replaces the connection's instance with one carrying the new token's claims ({@link #withClaims}), so events
 * after the refresh ({@code Message}, {@code Disconnected}) carry the claims in force when they happened, while
 * {@code Connected} and earlier messages keep those of the token at the time.
 *
 * @param id the connection id (UUIDv7)
 * @param userId the authenticated user: the token's {@code sub}, which a refresh never changes
 * @param claims every claim of the connection's current token: the one it authenticated with, or the last
 *        one it refreshed with
 * @param remoteAddress the peer's address
 * @param connectedAt when the handshake completed
 * @param format the connection's outbound encoding
 */
public record ConnectionInfo(UUID id, String userId, Map<String, Object> claims, InetSocketAddress remoteAddress,
                             Instant connectedAt, WireFormat format) {

    public ConnectionInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(userId, "userId");
        claims = Map.copyOf(claims);
        Objects.requireNonNull(connectedAt, "connectedAt");
        Objects.requireNonNull(format, "format");
    }

    /** This connection with the claims of a refreshed token; everything else stays. */
    public ConnectionInfo withClaims(Map<String, Object> newClaims) {
        return new ConnectionInfo(id, userId, newClaims, remoteAddress, connectedAt, format);
    }
}
