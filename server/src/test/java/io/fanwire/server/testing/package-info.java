/**
 * Test support for the server: a server on loopback with a known key, an independent WebSocket client
 * (the JDK's), a raw-socket HTTP/WebSocket client and the reader of what a server wrote, on a socket
 * or an embedded channel. Test scope only.
 */
package io.fanwire.server.testing;
