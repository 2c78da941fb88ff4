/**
 * The record of a run ({@link io.fanwire.bench.report.RunReport} and its parts) and everything that consumes
 * it: the JSON record and its schema, text, Markdown and HTML (inline SVG) reports, thresholds, the baseline
 * comparison and live progress. Depends on Jackson and the JDK only; scenarios fill the model.
 */
package io.fanwire.bench.report;
