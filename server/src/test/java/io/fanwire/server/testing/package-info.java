/**
 * Test support for the server: a server on loopback with a known key, an independent WebSocket client
 * (the JDK's) and a raw-socket HTTP/WebSocket client. Test scope only.
 */
package io.fanwire.server.testing;
