/**
 * The server's own counters ({@link io.fanwire.server.metrics.ServerStats}) and their export as Micrometer meters
 * for Prometheus, the event-loop lag probe and the readiness heap budget. Depends on Micrometer, Netty
 * and the broker's statistics only.
 */
package io.fanwire.server.metrics;
