/**
 * The scenarios, one class each, with what they share: options, the run context, the connection fleet,
 * the server probe (its {@code /metrics}, {@code /api/info} or {@code /proc}) and preflight checks.
 * Depends on the client, load, stats and report packages.
 */
package io.fanwire.bench.scenario;
