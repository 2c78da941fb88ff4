/**
 * Token extraction from the handshake's four carriers and JWT verification of connecting clients.
 * Depends on the common JWT helpers and Netty's HTTP types only.
 */
package io.fanwire.server.auth;
