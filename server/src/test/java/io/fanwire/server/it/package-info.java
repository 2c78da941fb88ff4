/**
 * Integration tests: a real server on 127.0.0.1 with real clients (the JDK's WebSocket client and raw
 * sockets). Run by failsafe in {@code verify}.
 */
package io.fanwire.server.it;
