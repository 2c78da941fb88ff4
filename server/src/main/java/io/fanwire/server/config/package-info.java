/**
 * Standalone configuration: the table of settings and how YAML files, {@code FANWIRE_*} environment
 * variables and command-line flags map onto {@link io.fanwire.server.ServerConfig}. Used by ServerMain only.
 */
package io.fanwire.server.config;
