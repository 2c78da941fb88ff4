/**
 * Inbound events for the application: the bounded drain queue with read backpressure, and the callback
 * dispatcher. Depends on the common protocol model, {@code ServerConfig.DrainConfig} and {@code metrics}.
 */
package io.fanwire.server.drain;
