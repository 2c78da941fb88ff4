/**
 * The Fanwire wire protocol shared by the server and the bench client.
 * Depends on Netty buffers, Jackson, msgpack-java and jjwt only; never on server or bench code.
 */
package io.fanwire.common;
