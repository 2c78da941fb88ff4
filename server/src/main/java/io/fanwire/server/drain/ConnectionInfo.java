package io.fanwire.server.drain;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import io.fanwire.common.codec.WireFormat;

/**
 * What the application knows about a connection; one immutable instance per connection, shared by all
 * of its events.
 *
 * @param id the connection id (UUIDv7)
 * @param userId the authenticated user: the token's {@code sub}
 * @param claims every claim of the token the connection authenticated with
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
}
