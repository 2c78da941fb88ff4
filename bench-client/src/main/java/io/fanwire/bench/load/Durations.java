package io.fanwire.bench.load;

import java.time.Duration;
import java.util.Locale;

/** Parses durations written as {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}; a bare number is seconds. */
public final class Durations {

    private Durations() {
    }

    public static Duration parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.endsWith("us")) {
                return Duration.ofNanos(Long.parseLong(s.substring(0, s.length() - 2)) * 1000);
            }
            char unit = s.charAt(s.length() - 1);
            String number = Character.isDigit(unit) || unit == '.' ? s : s.substring(0, s.length() - 1);
            double value = Double.parseDouble(number);
            long nanos = (long) (value * switch (unit) {
                case 'm' -> 60e9;
                case 'h' -> 3600e9;
                default -> 1e9;
            });
            if (nanos < 0) {
                throw new IllegalArgumentException("negative");
            }
            return Duration.ofNanos(nanos);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("duration: " + text + " (expected: like 500ms, 10s, 5m)", e);
        }
    }
}
