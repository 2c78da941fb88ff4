package io.fanwire.bench.load;

import java.util.ArrayList;
import java.util.List;

/** Connection counts to run one after another, e.g. {@code 100,500,1000}. */
public final class Tiers {

    /** The default ladder (WSE's wse-bench tiers). */
    public static final String DEFAULT = "100,500,1000,2000,5000,10000";

    private Tiers() {
    }

    /** Parses a comma-separated list of positive counts; {@code 10k} means 10000. */
    public static List<Integer> parse(String text) {
        List<Integer> tiers = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim().toLowerCase(java.util.Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            int multiplier = 1;
            if (p.endsWith("k")) {
                multiplier = 1000;
                p = p.substring(0, p.length() - 1);
            }
            int value;
            try {
                value = Math.multiplyExact(Integer.parseInt(p), multiplier);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("tiers: " + text + " (expected: positive counts like 100,500,1k)", e);
            }
            if (value <= 0) {
                throw new IllegalArgumentException("tiers: " + text + " (expected: positive counts like 100,500,1k)");
            }
            tiers.add(value);
        }
        if (tiers.isEmpty()) {
            throw new IllegalArgumentException("tiers: \"" + text + "\" (expected: at least one count)");
        }
        return List.copyOf(tiers);
    }
}
