/**
 * Brokers: the one authoritative place that stamps publications ({@code tp}/{@code e}/{@code o}), keeps
 * history, and delivers publications to every node with subscribers. In-memory now; Redis follows.
 * Depends on the common protocol only.
 */
package io.fanwire.server.broker;
