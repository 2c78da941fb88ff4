package io.fanwire.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import org.junit.jupiter.api.Test;

import io.fanwire.bench.report.BaselineComparison.Change;
import io.fanwire.bench.report.BaselineComparison.Verdict;

class BaselineComparisonTest {

    private final RunReport baseline = SampleReports.realistic();
    private final RunReport current = SampleReports.slowerAt1000Conns(baseline);

    @Test
    void comparingARunWithItselfFindsNoChange() {
        BaselineComparison same = BaselineComparison.compare(baseline, baseline);
        assertThat(same.regressed()).isFalse();
        assertThat(same.tiers()).hasSize(6);
        assertThat(same.tiers()).flatExtracting(BaselineComparison.TierDelta::changes)
                .extracting(Change::verdict).containsOnly(Verdict.UNCHANGED);
        assertThat(same.onlyInBaseline()).isEmpty();
        assertThat(same.summary()).isEqualTo("no regression beyond 10% against the baseline of 2026-11-23 20:00:00 UTC");
    }

    @Test
    void flagsLatencyUpThroughputDownAndErrorsFromZero() {
        BaselineComparison cmp = BaselineComparison.compare(baseline, current);
        assertThat(cmp.regressions()).extracting(Change::metric, Change::before, Change::after).containsExactly(
                tuple("server_received_per_s", 10_000.0, 8_000.0),
                tuple("rtt.p99", 2370.0, 3555.0),
                tuple("errors", 0.0, 2.0));
        BaselineComparison.TierDelta tier = cmp.tiers().get(1);
        assertThat(tier.tier()).isEqualTo("1000 conns");
        Change p50 = tier.changes().stream().filter(c -> c.metric().equals("rtt.p50")).findFirst().orElseThrow();
        assertThat(p50.verdict()).isEqualTo(Verdict.UNCHANGED);
        assertThat(p50.deltaPercent()).isCloseTo(5.0, org.assertj.core.data.Offset.offset(1e-9));
        Change p999 = tier.changes().stream().filter(c -> c.metric().equals("rtt.p999")).findFirst().orElseThrow();
        assertThat(p999.verdict()).isEqualTo(Verdict.IMPROVED);
        assertThat(cmp.onlyInBaseline()).containsExactly("http-publish/50 conns");
        assertThat(cmp.onlyInCurrent()).containsExactly("ping-latency/10000 conns");
    }

    @Test
    void toleranceIsConfigurable() {
        assertThat(BaselineComparison.compare(baseline, current, 60).regressions()).extracting(Change::metric)
                .containsExactly("errors");
    }

    @Test
    void rendersTextAndMarkdown() {
        BaselineComparison cmp = BaselineComparison.compare(baseline, current);
        String text = cmp.toText();
        assertThat(text).containsPattern("ping-latency/1000 conns +RTT p99 +2.37 ms +3.56 ms +\\+1.19 ms +\\+50.0% +REGRESSED")
                .containsPattern("ping-latency/1000 conns +Srv recv/s +10.0k/s +8.00k/s +-2.00k/s +-20.0% +REGRESSED")
                .containsPattern("ping-latency/1000 conns +Errors +0 +2 +\\+2 +\\+∞% +REGRESSED")
                .containsPattern("ping-latency/1000 conns +RTT p99.9 +4.80 ms +3.84 ms +-960 µs +-20.0% +improved")
                .contains("  Only in the baseline: http-publish/50 conns", "  New in this run: ping-latency/10000 conns")
                .endsWith("REGRESSED: 3 regressions beyond 10% against the baseline of 2026-11-23 20:00:00 UTC\n");
        String markdown = cmp.toMarkdown();
        assertThat(markdown).startsWith("### Compared with the baseline\n\n**Regressed:** 3 regressions beyond 10%")
                .contains("| Tier | Metric | Before | After | Change | Change % |  |\n|---|---|---:|---:|---:|---:|---|\n")
                .contains("| ping-latency/1000 conns | RTT p99 | 2.37 ms | 3.56 ms | +1.19 ms | +50.0% | REGRESSED |");
    }
}
