/**
 * Brokers: the one authoritative place that stamps publications ({@code tp}/{@code e}/{@code o}), keeps
 * history, and delivers publications to every node with subscribers. In memory for one node,
 * or Redis (through Lettuce) for a cluster. Depends on the common protocol and Lettuce only.
 */
package io.fanwire.server.broker;
