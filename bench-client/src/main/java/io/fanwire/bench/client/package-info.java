/**
 * The Netty WebSocket client of the load client: event loops, handshake options (token carriers, formats,
 * source addresses) and one stateful handler per connection. Depends on Netty and {@code fanwire-common}.
 */
package io.fanwire.bench.client;
