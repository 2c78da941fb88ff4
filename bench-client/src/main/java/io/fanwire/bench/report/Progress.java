package io.fanwire.bench.report;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Live progress of a run on the console: one line per tier that updates in place on a terminal, or plain lines
 * at an interval when the output is a file or a pipe (CI logs stay readable).
 *
 * <p>How the engine uses it:
 * <pre>{@code
 * // in BenchMain, the only place that looks at the console and the environment:
 * boolean terminal = Progress.isInteractiveTerminal(System.console() != null, System.getenv("TERM"));
 * try (Progress progress = Progress.create(System.out, terminal)) {
 *     // about once a second per tier, from one thread (a scheduled task, not an event loop):
 *     progress.update(new ProgressSnapshot("ping-latency", "1000 conns", open, sentPerS, recvPerS, errors,
 *             elapsed, remaining));
 *     progress.message("warning: 12 connections failed");   // never garbles the status line
 *     progress.tierFinished();                               // keeps the tier's last line on screen
 * }
 * }</pre>
 *
 * <p>On a terminal each {@code update} redraws the current tier's line ({@code \r} and erase-line); a new tier
 * starts a new line, so the last state of every tier stays visible. Otherwise a line is printed for the first
 * update of a tier, then whenever {@link #DEFAULT_PLAIN_INTERVAL} (or the given interval) of the tier's time
 * has passed since the last one, and once more when the tier finishes. The methods are synchronized; the
 * printer never blocks on anything but the stream.
 */
public final class Progress implements AutoCloseable {

    /** How often plain output prints a line per tier. */
    public static final Duration DEFAULT_PLAIN_INTERVAL = Duration.ofSeconds(5);

    private static final String ERASE_LINE = "\r\033[2K";
    private static final String RED = "\033[31m";
    private static final String RESET = "\033[0m";
    private static final int BAR_WIDTH = 20;

    private final PrintStream out;
    private final boolean interactive;
    private final Duration interval;

    private ProgressSnapshot last;
    private Duration lastPrinted;
    private boolean lineOpen;

    private Progress(PrintStream out, boolean interactive, Duration interval) {
        this.out = Objects.requireNonNull(out, "out");
        this.interactive = interactive;
        this.interval = Objects.requireNonNull(interval, "interval");
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval: " + interval + " (expected: >= 0)");
        }
    }

    /** A line per tier that updates in place, for a terminal that understands ANSI erase-line. */
    public static Progress interactive(PrintStream out) {
        return new Progress(out, true, Duration.ZERO);
    }

    /** Plain lines, one per tier every {@code interval} of the tier's elapsed time. */
    public static Progress plain(PrintStream out, Duration interval) {
        return new Progress(out, false, interval);
    }

    /** {@link #interactive} on a terminal, else {@link #plain} every {@link #DEFAULT_PLAIN_INTERVAL}. */
    public static Progress create(PrintStream out, boolean terminal) {
        return terminal ? interactive(out) : plain(out, DEFAULT_PLAIN_INTERVAL);
    }

    /**
     * Whether output can be redrawn in place: there is a console and {@code TERM} names a terminal that is not
     * {@code dumb}. The caller passes {@code System.console() != null} and {@code System.getenv("TERM")}.
     */
    public static boolean isInteractiveTerminal(boolean hasConsole, String term) {
        return hasConsole && term != null && !term.isBlank() && !term.equals("dumb");
    }

    /** Shows the tier's state now. */
    public synchronized void update(ProgressSnapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        boolean newTier = last == null || !sameTier(last, snapshot);
        if (interactive) {
            if (newTier && lineOpen) {
                out.print('\n');
            }
            out.print(ERASE_LINE + line(snapshot, true));
            lineOpen = true;
        } else {
            if (newTier && last != null && !last.elapsed().equals(lastPrinted)) {
                out.println(line(last, false)); // the previous tier ended without tierFinished()
            }
            if (newTier || snapshot.elapsed().minus(lastPrinted).compareTo(interval) >= 0) {
                out.println(line(snapshot, false));
                lastPrinted = snapshot.elapsed();
            }
        }
        last = snapshot;
        out.flush();
    }

    /**
     * Ends the current tier's line: on a terminal it stays as it is; in plain output the last state is printed
     * unless it just was.
     */
    public synchronized void tierFinished() {
        if (last == null) {
            return;
        }
        if (interactive) {
            if (lineOpen) {
                out.print('\n');
                lineOpen = false;
            }
        } else if (!last.elapsed().equals(lastPrinted)) {
            out.println(line(last, false));
        }
        last = null;
        lastPrinted = null;
        out.flush();
    }

    /** Prints a line of its own (a warning, a phase change) without breaking the status line. */
    public synchronized void message(String text) {
        if (interactive && lineOpen) {
            out.print(ERASE_LINE);
            out.println(text);
            out.print(line(last, true));
        } else {
            out.println(text);
        }
        out.flush();
    }

    /** Finishes the current line. */
    @Override
    public synchronized void close() {
        tierFinished();
    }

    /** {@code ping-latency 1000 conns  conns 1,000  sent 10.0k/s  recv 9.98k/s  errors 0  0:05 / 0:10, 0:05 left}. */
    static String line(ProgressSnapshot s, boolean ansi) {
        StringBuilder line = new StringBuilder();
        line.append(s.scenario()).append(' ').append(s.tier())
                .append("  conns ").append(Figures.count(s.connections()))
                .append("  sent ").append(Figures.rate(s.sentPerSecond())).append("/s")
                .append("  recv ").append(Figures.rate(s.receivedPerSecond())).append("/s")
                .append("  errors ");
        if (ansi && s.errors() > 0) {
            line.append(RED).append(Figures.count(s.errors())).append(RESET);
        } else {
            line.append(Figures.count(s.errors()));
        }
        line.append("  ").append(clock(s.elapsed()));
        if (s.remaining() != null) {
            Duration total = s.elapsed().plus(s.remaining());
            line.append(" / ").append(clock(total)).append(", ").append(clock(s.remaining())).append(" left");
            if (ansi && !total.isZero()) {
                int filled = (int) Math.round(BAR_WIDTH * (double) s.elapsed().toMillis() / total.toMillis());
                line.append("  ").append("█".repeat(filled)).append("░".repeat(BAR_WIDTH - filled));
            }
        } else {
            line.append(" elapsed");
        }
        return line.toString();
    }

    /** {@code 0:05}, {@code 12:30}, {@code 1:02:03}. */
    static String clock(Duration d) {
        long seconds = d.toSeconds();
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }

    private static boolean sameTier(ProgressSnapshot a, ProgressSnapshot b) {
        return a.scenario().equals(b.scenario()) && a.tier().equals(b.tier());
    }
}
