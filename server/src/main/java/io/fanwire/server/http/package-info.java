/**
 * Everything that happens before a WebSocket upgrade: health routes, the server API and the upgrade
 * handshake itself. Depends on {@code auth}, {@code session} and Netty's HTTP codec.
 */
package io.fanwire.server.http;
