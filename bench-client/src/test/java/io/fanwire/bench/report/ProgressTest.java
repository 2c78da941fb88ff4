package io.fanwire.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class ProgressTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void plainOutputPrintsATierEveryIntervalAndItsLastState() {
        try (Progress progress = Progress.plain(out, Duration.ofSeconds(5))) {
            for (int s = 1; s <= 12; s++) {
                progress.update(snapshot("100 conns", s, 12 - s, 0));
            }
            progress.tierFinished();
            progress.update(snapshot("1000 conns", 1, 9, 2));
        }
        assertThat(output().lines()).containsExactly(
                "ping-latency 100 conns  conns 100  sent 1.00k/s  recv 990/s  errors 0  0:01 / 0:12, 0:11 left",
                "ping-latency 100 conns  conns 100  sent 1.00k/s  recv 990/s  errors 0  0:06 / 0:12, 0:06 left",
                "ping-latency 100 conns  conns 100  sent 1.00k/s  recv 990/s  errors 0  0:11 / 0:12, 0:01 left",
                "ping-latency 100 conns  conns 100  sent 1.00k/s  recv 990/s  errors 0  0:12 / 0:12, 0:00 left",
                "ping-latency 1000 conns  conns 100  sent 1.00k/s  recv 990/s  errors 2  0:01 / 0:10, 0:09 left");
        assertThat(output()).doesNotContain("\r", "\033");
    }

    @Test
    void plainOutputClosesATierThatEndedWithoutBeingFinished() {
        Progress progress = Progress.plain(out, Duration.ofSeconds(5));
        progress.update(snapshot("100 conns", 1, 2, 0));
        progress.update(snapshot("100 conns", 3, 0, 0));
        progress.update(snapshot("1000 conns", 1, 2, 0));
        assertThat(output().lines()).extracting(l -> l.substring(0, 36)).containsExactly(
                "ping-latency 100 conns  conns 100  s", "ping-latency 100 conns  conns 100  s",
                "ping-latency 1000 conns  conns 100  ");
    }

    @Test
    void terminalOutputRedrawsOneLinePerTier() {
        try (Progress progress = Progress.interactive(out)) {
            progress.update(snapshot("100 conns", 1, 9, 0));
            progress.update(snapshot("100 conns", 5, 5, 0));
            progress.message("warning: 3 connects failed");
            progress.update(snapshot("1000 conns", 1, 9, 3));
        }
        String text = output();
        assertThat(text.split("\n")).hasSize(3);
        String[] lines = text.split("\n");
        assertThat(lines[0]).startsWith("\r\033[2Kping-latency 100 conns").contains("\r\033[2Kping-latency 100 conns  conns 100")
                .endsWith("0:05 / 0:10, 0:05 left  ██████████░░░░░░░░░░\r\033[2Kwarning: 3 connects failed");
        assertThat(lines[1]).startsWith("ping-latency 100 conns").endsWith("0:05 / 0:10, 0:05 left  ██████████░░░░░░░░░░");
        assertThat(lines[2]).isEqualTo("\r\033[2Kping-latency 1000 conns  conns 100  "
                + "sent 1.00k/s  recv 990/s  errors \033[31m3\033[0m  0:01 / 0:10, 0:09 left  ██░░░░░░░░░░░░░░░░░░");
        assertThat(text).endsWith("\n");
    }

    @Test
    void aTierWithoutAnEndShowsElapsedOnly() {
        assertThat(Progress.line(new ProgressSnapshot("soak", "idle", 19_900, 0, 0, 0, Duration.ofMinutes(62), null), true))
                .isEqualTo("soak idle  conns 19,900  sent 0/s  recv 0/s  errors 0  1:02:00 elapsed");
    }

    @Test
    void terminalDetection() {
        assertThat(Progress.isInteractiveTerminal(true, "xterm-256color")).isTrue();
        assertThat(Progress.isInteractiveTerminal(true, "dumb")).isFalse();
        assertThat(Progress.isInteractiveTerminal(true, null)).isFalse();
        assertThat(Progress.isInteractiveTerminal(false, "xterm")).isFalse();
    }

    @Test
    void snapshotsAreValidated() {
        assertThatThrownBy(() -> new ProgressSnapshot("s", "t", -1, 0, 0, 0, Duration.ZERO, null))
                .hasMessage("connections: -1 (expected: >= 0)");
        assertThat(new ProgressSnapshot("s", "t", 1, 0, 0, 0, Duration.ofSeconds(11), Duration.ofSeconds(-1))
                .remaining()).isZero();
    }

    private static ProgressSnapshot snapshot(String tier, int elapsed, int remaining, long errors) {
        return new ProgressSnapshot("ping-latency", tier, 100, 1000, 990, errors, Duration.ofSeconds(elapsed),
                Duration.ofSeconds(remaining));
    }

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
