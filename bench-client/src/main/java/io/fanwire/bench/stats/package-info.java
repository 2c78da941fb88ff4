/**
 * Measurement: HdrHistogram latency recorders, named counters, and the mergeable snapshot a slice of a run
 * hands back ({@link io.fanwire.bench.stats.SliceStats}). Depends on HdrHistogram and the report model only.
 */
package io.fanwire.bench.stats;
