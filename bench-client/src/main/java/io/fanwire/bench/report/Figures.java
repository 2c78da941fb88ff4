package io.fanwire.bench.report;

import java.util.Locale;

/**
 * Numbers as a reader wants them: thousands separated, rates with k/M suffixes, latencies in the unit that
 * keeps three significant digits, bytes in binary units. Every writer formats through here so that the same
 * figure reads the same in every format.
 */
final class Figures {

    /** Shown where a metric was not measured (as opposed to measured as zero). */
    static final String ABSENT = "—";

    private Figures() {
    }

    /** {@code 1128790} → {@code 1,128,790}. */
    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /** A per-second rate with three significant digits: {@code 850}, {@code 8.50k}, {@code 113k}, {@code 1.00M}. */
    static String rate(double perSecond) {
        if (Double.isNaN(perSecond) || Double.isInfinite(perSecond)) {
            return ABSENT;
        }
        double abs = Math.abs(perSecond);
        if (abs < 1_000) {
            boolean fraction = abs < 10 && perSecond != Math.rint(perSecond);
            return fraction ? sig3(perSecond) : String.format(Locale.ROOT, "%.0f", perSecond);
        }
        if (abs < 999_500) {
            return sig3(perSecond / 1e3) + "k";
        }
        if (abs < 999_500_000) {
            return sig3(perSecond / 1e6) + "M";
        }
        return sig3(perSecond / 1e9) + "G";
    }

    /** Microseconds as milliseconds, three significant digits: {@code 0.910}, {@code 2.37}, {@code 61.0}, {@code 124}. */
    static String millis(double micros) {
        return sig3(micros / 1000.0);
    }

    /** A latency in the unit that suits it: {@code 910 µs}, {@code 2.37 ms}, {@code 1.20 s}. */
    static String latency(double micros) {
        if (micros < 1_000) {
            return sig3(micros) + " µs";
        }
        if (micros < 1_000_000) {
            return sig3(micros / 1e3) + " ms";
        }
        return sig3(micros / 1e6) + " s";
    }

    /** A percentage: {@code 0%} only for exactly zero, otherwise three significant digits ({@code 0.0420%}). */
    static String percent(double percent) {
        if (percent == 0) {
            return "0%";
        }
        return sig3(percent) + "%";
    }

    /** A signed percentage change: {@code +12.5%}, {@code -3.10%}, {@code ±0%}. */
    static String signedPercent(double percent) {
        if (Double.isInfinite(percent)) {
            return percent > 0 ? "+∞%" : "-∞%";
        }
        if (percent == 0) {
            return "±0%";
        }
        return (percent > 0 ? "+" : "") + sig3(percent) + "%";
    }

    /** Bytes in binary units: {@code 512 B}, {@code 9.57 KiB}, {@code 171 MiB}, {@code 24.0 GiB}; negative is unknown. */
    static String bytes(long bytes) {
        if (bytes < 0) {
            return ABSENT;
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes / 1024.0;
        int unit = 0;
        while (value >= 1023.5 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return sig3(value) + " " + units[unit];
    }

    /** A duration in seconds: {@code 10 s}, {@code 2.50 s}, {@code 1 min 35 s}. */
    static String seconds(double seconds) {
        if (seconds >= 60) {
            long whole = Math.round(seconds);
            long min = whole / 60;
            long sec = whole % 60;
            return sec == 0 ? min + " min" : min + " min " + sec + " s";
        }
        if (seconds == Math.rint(seconds)) {
            return String.format(Locale.ROOT, "%.0f s", seconds);
        }
        return sig3(seconds) + " s";
    }

    /** A plain number with at most three significant digits after the point, without a trailing {@code .0}. */
    static String plain(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return String.format(Locale.ROOT, "%d", (long) value);
        }
        return sig3(value);
    }

    /** Three significant digits, never in exponent notation, keeping trailing zeros that carry precision. */
    static String sig3(double value) {
        double abs = Math.abs(value);
        if (abs == 0) {
            return "0";
        }
        if (abs >= 99.95) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (abs >= 9.995) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        if (abs >= 0.9995) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        int decimals = Math.min(9, 2 - (int) Math.floor(Math.log10(abs)));
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
