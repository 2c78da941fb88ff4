/**
 * The Fanwire load client: scenarios, load schedules, workers and reports.
 * Depends on {@code fanwire-common} only; a skeleton until the bench client issue lands.
 */
package io.fanwire.bench;
