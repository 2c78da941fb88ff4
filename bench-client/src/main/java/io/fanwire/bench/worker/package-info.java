/**
 * Worker processes: how many a run needs (file-descriptor limit, source addresses), starting them as child
 * JVMs, and the line-delimited JSON control channel over their stdin/stdout that keeps their tiers in step.
 * Depends on the stats model, Jackson and HdrHistogram; never on the scenarios (they plug in a {@link
 * io.fanwire.bench.worker.WorkerTask}).
 */
package io.fanwire.bench.worker;
