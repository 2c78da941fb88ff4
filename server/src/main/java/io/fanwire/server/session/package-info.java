/**
 * Connections after the upgrade: per-connection state, the registry, the protocol handler, the outbound
 * encoder, heartbeats (with the maximum lifetime) and the 4300 retry hint. Depends on the common protocol,
 * {@code drain} (to hand events on) and Netty.
 */
package io.fanwire.server.session;
