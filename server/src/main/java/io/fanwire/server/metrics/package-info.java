/**
 * The server's own counters, read by the info endpoint (and by Prometheus once metrics land).
 * Depends on nothing else in the server.
 */
package io.fanwire.server.metrics;
