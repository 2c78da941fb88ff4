package io.fanwire.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ThresholdsTest {

    private final List<ScenarioResult> scenarios = SampleReports.realistic().scenarios();

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "p99<5ms;            ;        ;p99;LATENCY;LT;5;ms",
            "p95 <= 20 ms;       ;        ;p95;LATENCY;LE;20;ms",
            "rtt.p99<2ms;        ;        ;rtt.p99;LATENCY;LT;2;ms",
            "rtt.p99.9<800us;    ;        ;rtt.p99.9;LATENCY;LT;800;µs",
            "delivery.max<1.5s;  ;        ;delivery.max;LATENCY;LT;1.5;s",
            "p50<300µs;          ;        ;p50;LATENCY;LT;300;µs",
            "errors==0;          ;        ;errors;COUNTER;EQ;0;''",
            "gaps!=1;            ;        ;gaps;COUNTER;NE;1;''",
            "loss<0.1%;          ;        ;loss;LOSS;LT;0.1;%",
            "loss<=1;            ;        ;loss;LOSS;LE;1;%",
            "server_received_per_s>=50000;;;server_received_per_s;RATE;GE;50000;''",
            "deliveries_per_s>1.5M;;      ;deliveries_per_s;RATE;GT;1500000;''",
            "ping-latency:p99<5ms;ping-latency;;p99;LATENCY;LT;5;ms",
            "ping-latency/1000 conns:rtt.p99<2ms;ping-latency;1000 conns;rtt.p99;LATENCY;LT;2;ms"})
    void parses(String expression, String scenario, String tier, String metric, Threshold.Kind kind,
                Threshold.Operator operator, double limit, String unit) {
        Threshold t = Threshold.parse(expression);
        assertThat(t).extracting(Threshold::expression, Threshold::scenario, Threshold::tier, Threshold::metric,
                Threshold::kind, Threshold::operator, Threshold::limit, Threshold::unit)
                .containsExactly(expression, scenario, tier, metric, kind, operator, limit, unit);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "'';                    it is empty",
            "p99;                   no comparison (expected one of <, <=, >, >=, ==, !=",
            "<5ms;                  no metric before the operator",
            "p99<;                  no number after the operator",
            "p99<<5ms;              expected a number after '<', found '<5ms'",
            "p99=5ms;               '=' is not an operator; use == to compare",
            "p99<5;                 a latency needs a unit: ms, us (or µs) or s, e.g. p99<5ms",
            "p99<5min;              unknown unit 'min' for a latency",
            "rtt.p98<5ms;           'rtt.p98' is not latency.percentile",
            "loss<0.1ms;            loss is a percentage",
            "errors<1%;             only loss is a percentage; errors is a count",
            "sent_per_s>5ms;        sent_per_s is a rate, not a latency",
            "Errors-Total==0;       'errors-total' is not a metric name",
            ":p99<5ms;              the scope before ':' must be a scenario or scenario/tier label"})
    void explainsBadExpressions(String expression, String message) {
        assertThatThrownBy(() -> Threshold.parse(expression)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("threshold \"" + expression + "\": ").hasMessageContaining(message);
    }

    @Test
    void parseAllNamesEveryBadExpression() {
        assertThatThrownBy(() -> Thresholds.parseAll(List.of("p99<5", "errors==0", "loss<1ms")))
                .hasMessage("threshold \"p99<5\": a latency needs a unit: ms, us (or µs) or s, e.g. p99<5ms\n"
                        + "threshold \"loss<1ms\": loss is a percentage: write it with % or as a plain number, e.g. loss<0.1%");
    }

    @Test
    void evaluatesPerTierWithTheTiersHeadlineLatency() {
        List<CheckResult> checks = Thresholds.evaluate(Thresholds.parseAll(List.of("p99<5ms")), scenarios);
        assertThat(checks).extracting(CheckResult::scope, CheckResult::actual, CheckResult::passed).containsExactly(
                tuple("ping-latency/100 conns", "0.910ms", true),
                tuple("ping-latency/1000 conns", "2.37ms", true),
                tuple("ping-latency/5000 conns", "11.8ms", false),
                tuple("echo/100 conns", "1.39ms", true),
                tuple("fanout/1 pub → 1000 subs", "4.10ms", true),
                tuple("http-publish/50 conns", "15.0ms", false));
        assertThat(Thresholds.exitCode(checks)).isEqualTo(Thresholds.EXIT_CODE_FAILED);
    }

    @Test
    void evaluatesCountersRatesLossAndNamedLatencies() {
        List<CheckResult> checks = Thresholds.evaluate(Thresholds.parseAll(List.of(
                "ping-latency/5000 conns:errors==0", "ping-latency:loss<0.01%", "fanout:gaps==0",
                "server_received_per_s>=50000", "rtt_uncorrected.p99<1ms", "http-publish:requests_per_s>8k")), scenarios);
        assertThat(checks).extracting(CheckResult::expression, CheckResult::scope, CheckResult::actual,
                CheckResult::passed).containsExactly(
                tuple("ping-latency/5000 conns:errors==0", "ping-latency/5000 conns", "3", false),
                tuple("ping-latency:loss<0.01%", "ping-latency/100 conns", "0%", true),
                tuple("ping-latency:loss<0.01%", "ping-latency/1000 conns", "0%", true),
                tuple("ping-latency:loss<0.01%", "ping-latency/5000 conns", "0.00840%", true),
                tuple("fanout:gaps==0", "fanout/1 pub → 1000 subs", "0", true),
                tuple("server_received_per_s>=50000", "ping-latency/100 conns", "1,000/s", false),
                tuple("server_received_per_s>=50000", "ping-latency/1000 conns", "10,000/s", false),
                tuple("server_received_per_s>=50000", "ping-latency/5000 conns", "49,999/s", false),
                tuple("server_received_per_s>=50000", "echo/100 conns", "112,879/s", true),
                tuple("server_received_per_s>=50000", "fanout/1 pub → 1000 subs", "1,000/s", false),
                tuple("rtt_uncorrected.p99<1ms", "ping-latency/100 conns", "0.410ms", true),
                tuple("rtt_uncorrected.p99<1ms", "ping-latency/1000 conns", "1.07ms", false),
                tuple("rtt_uncorrected.p99<1ms", "ping-latency/5000 conns", "5.31ms", false),
                tuple("http-publish:requests_per_s>8k", "http-publish/50 conns", "8,500/s", true));
    }

    @Test
    void aThresholdThatChecksNothingFails() {
        List<CheckResult> checks = Thresholds.evaluate(Thresholds.parseAll(List.of(
                "erors==0", "nosuch:p99<1ms", "ping-latency/7 conns:p99<1ms", "http-publish:gaps==0")), scenarios);
        assertThat(checks).extracting(CheckResult::scope, CheckResult::actual, CheckResult::passed).containsExactly(
                tuple("run", "not measured", false),
                tuple("run", "no scenario nosuch ran", false),
                tuple("run", "no tier ping-latency/7 conns ran", false),
                tuple("http-publish/50 conns", "not measured", false));
    }

    @Test
    void exitCodeIsZeroOnlyWhenEveryCheckPassed() {
        assertThat(Thresholds.exitCode(List.of())).isZero();
        assertThat(Thresholds.exitCode(List.of(new CheckResult("p99<5ms", "a/b", "1ms", true)))).isZero();
        assertThat(Thresholds.exitCode(SampleReports.realistic().checks())).isEqualTo(99);
    }
}
