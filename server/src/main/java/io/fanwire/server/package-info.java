/**
 * The embeddable server ({@link io.fanwire.server.FanwireServer}), its configuration and the standalone
 * entry point. May depend on every server package; nothing in them depends on this root package except
 * through {@link io.fanwire.server.ServerConfig}.
 */
package io.fanwire.server;
