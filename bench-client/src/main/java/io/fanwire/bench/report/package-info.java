/**
 * The record of a run ({@link io.fanwire.bench.report.RunReport} and its parts) and the writers that turn
 * it into text, JSON, Markdown and HTML. Depends on Jackson and the JDK only; scenarios fill the model.
 */
package io.fanwire.bench.report;
