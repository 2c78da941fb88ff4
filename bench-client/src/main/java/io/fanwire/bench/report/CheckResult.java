package io.fanwire.bench.report;

/**
 * The outcome of one {@code --threshold} expression.
 *
 * @param expression the expression as given, e.g. {@code p99<5ms}
 * @param scope      where it was evaluated: {@code scenario/tier label}, or {@code run} for run-wide checks
 * @param actual     the measured value in the expression's unit, as text (e.g. {@code "3.2ms"})
 * @param passed     whether the expression held
 */
public record CheckResult(String expression, String scope, String actual, boolean passed) {
}
