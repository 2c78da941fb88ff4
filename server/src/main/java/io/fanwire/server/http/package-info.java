/**
 * Everything that happens before a WebSocket upgrade: health routes, the server API (on the main port or a
 * port of its own), the request deadline, the connection limits and the upgrade handshake itself. Depends on {@code auth}, {@code session}, the topic
 * grammar of {@code pubsub}, {@code broker}'s history pages, {@code metrics} and Netty's HTTP codec.
 */
package io.fanwire.server.http;
