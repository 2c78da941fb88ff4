/**
 * Load schedules: connection tiers, rate shapes over time (constant, ramp, spike, step) and the paced
 * sender that keeps a constant-arrival schedule on the event loops with intended send times (wrk2 style).
 * Depends on the client and stats packages.
 */
package io.fanwire.bench.load;
