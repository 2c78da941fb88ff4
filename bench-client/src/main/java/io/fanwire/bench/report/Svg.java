package io.fanwire.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * Charts as inline SVG, drawn here so that the HTML report needs nothing from the network: line charts (over
 * time, or over HdrHistogram's logarithmic percentile axis) and grouped bar charts. Every mark has a
 * {@code <title>} so that browsers show the exact value on hover without a script. Output is well-formed XML.
 */
final class Svg {

    static final int WIDTH = 560;
    static final int HEIGHT = 300;
    private static final int LEFT = 62;
    private static final int RIGHT = 16;
    private static final int TOP = 40;
    private static final int BOTTOM = 46;

    /** Colours that stay apart for readers with the common colour-vision deficiencies. */
    static final List<String> PALETTE = List.of("#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2");
    static final String MUTED = "#6b7280";

    /** Points per line beyond which a series is thinned (keeping each bucket's lowest and highest point). */
    static final int MAX_POINTS = 720;
    /** Points per line beyond which no hover dots are drawn. */
    static final int MAX_DOTS = 240;

    /** A line: its points, colour and whether it is dashed (the uncorrected twin of a latency). */
    record Series(String name, List<double[]> points, String color, boolean dashed) {
        Series {
            points = List.copyOf(points);
        }
    }

    /** A vertical marker across the plot, e.g. where a tier begins. */
    record Marker(double x, String label) {
    }

    /** A series of bars, one value per category (NaN for none). */
    record Bars(String name, double[] values, String color) {
    }

    /** How an axis maps and labels values. */
    record Axis(String title, double min, double max, List<Double> ticks, DoubleFunction<String> label) {
        Axis {
            ticks = List.copyOf(ticks);
        }

        /** A linear axis from {@code 0} (or {@code min} when negative) to a round value above {@code max}. */
        static Axis linear(String title, double min, double max, DoubleFunction<String> label) {
            double low = Math.min(0, min);
            double high = max <= low ? low + 1 : max;
            double step = niceStep((high - low) / 5);
            double top = Math.ceil(high / step - 1e-9) * step;
            List<Double> ticks = new ArrayList<>();
            for (double t = low; t <= top + step / 2; t += step) {
                ticks.add(t);
            }
            return new Axis(title, low, top, ticks, label);
        }

        /**
         * HdrHistogram's percentile axis: position {@code log10(1 / (1 - p/100))}, ticks at 0, 90, 99, 99.9…
         * up to {@code nines} nines; 100 is drawn at the last tick.
         */
        static Axis percentile(int nines) {
            List<Double> ticks = new ArrayList<>();
            for (int n = 0; n <= nines; n++) {
                ticks.add((double) n);
            }
            return new Axis("percentile", 0, nines, ticks, Axis::percentileLabel);
        }

        static double percentilePosition(double percentile, int nines) {
            if (percentile >= 100) {
                return nines;
            }
            return Math.min(nines, Math.log10(100 / (100 - percentile)));
        }

        private static String percentileLabel(double position) {
            if (position == 0) {
                return "0";
            }
            int n = (int) Math.round(position);
            return n == 1 ? "90" : n == 2 ? "99" : "99." + "9".repeat(n - 2);
        }

        double fraction(double value) {
            return max == min ? 0 : (value - min) / (max - min);
        }
    }

    private Svg() {
    }

    static double niceStep(double rough) {
        if (!(rough > 0) || Double.isInfinite(rough)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        double residual = rough / magnitude;
        double nice = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 2.5 ? 2.5 : residual <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    /** A line chart with a legend, markers and a hover title on every point. */
    static String lineChart(String title, Axis x, Axis y, List<Series> series, List<Marker> markers,
                            DoubleFunction<String> xValue, DoubleFunction<String> yValue) {
        StringBuilder svg = open(title);
        grid(svg, x, y);
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        for (Marker marker : markers) {
            double mx = LEFT + x.fraction(marker.x()) * plotW;
            svg.append("<line class=\"marker\" x1=\"").append(f(mx)).append("\" y1=\"").append(TOP)
                    .append("\" x2=\"").append(f(mx)).append("\" y2=\"").append(f(TOP + plotH)).append("\"/>");
            svg.append("<text class=\"marker-label\" x=\"").append(f(mx + 4)).append("\" y=\"").append(TOP + 12)
                    .append("\">").append(Html.escape(marker.label())).append("</text>");
        }
        for (Series s : series) {
            StringBuilder path = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            List<double[]> points = decimate(s.points(), MAX_POINTS);
            for (double[] p : points) {
                double px = LEFT + x.fraction(p[0]) * plotW;
                double py = TOP + plotH - y.fraction(p[1]) * plotH;
                path.append(path.isEmpty() ? "M" : " L").append(f(px)).append(' ').append(f(py));
                if (points.size() > MAX_DOTS) {
                    continue; // a long soak: the line alone, or the page grows by megabytes of hover targets
                }
                dots.append("<circle cx=\"").append(f(px)).append("\" cy=\"").append(f(py)).append("\" r=\"2.2\" fill=\"")
                        .append(s.color()).append("\"><title>").append(Html.escape(s.name())).append(": ")
                        .append(Html.escape(yValue.apply(p[1]))).append(" at ")
                        .append(Html.escape(xValue.apply(p.length > 2 ? p[2] : p[0]))).append("</title></circle>");
            }
            svg.append("<g class=\"series\"><path d=\"").append(path).append("\" fill=\"none\" stroke=\"")
                    .append(s.color()).append("\" stroke-width=\"2\"")
                    .append(s.dashed() ? " stroke-dasharray=\"6 4\"" : "").append("/>")
                    .append(dots).append("</g>");
        }
        legend(svg, series.stream().map(s -> new String[] {s.name(), s.color(), s.dashed() ? "d" : ""}).toList());
        return svg.append("</svg>").toString();
    }

    /** Grouped vertical bars, one group per category, the value written above each bar. */
    static String barChart(String title, List<String> categories, List<Bars> bars, String yTitle,
                           DoubleFunction<String> label) {
        double max = 0;
        for (Bars b : bars) {
            for (double v : b.values()) {
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        Axis y = Axis.linear(yTitle, 0, max * 1.12, label); // headroom for the value above the tallest bar
        StringBuilder svg = open(title);
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        yGrid(svg, y, plotW, plotH);
        double group = plotW / Math.max(1, categories.size());
        double barW = Math.min(48, group * 0.8 / Math.max(1, bars.size()));
        // labels wider than their group are slanted so that they do not run into each other
        boolean crowded = categories.stream().anyMatch(c -> c.length() * 6.2 > group - 6);
        for (int c = 0; c < categories.size(); c++) {
            double start = LEFT + group * c + (group - barW * bars.size()) / 2;
            for (int b = 0; b < bars.size(); b++) {
                double v = bars.get(b).values()[c];
                if (Double.isNaN(v)) {
                    continue;
                }
                double h = y.fraction(v) * plotH;
                double bx = start + b * barW;
                svg.append("<rect x=\"").append(f(bx + 1)).append("\" y=\"").append(f(TOP + plotH - h))
                        .append("\" width=\"").append(f(barW - 2)).append("\" height=\"").append(f(h))
                        .append("\" fill=\"").append(bars.get(b).color()).append("\"><title>")
                        .append(Html.escape(categories.get(c) + " " + bars.get(b).name() + ": " + label.apply(v)))
                        .append("</title></rect>");
                svg.append("<text class=\"value\" x=\"").append(f(bx + barW / 2)).append("\" y=\"")
                        .append(f(TOP + plotH - h - 4)).append("\">").append(Html.escape(label.apply(v))).append("</text>");
            }
            double cx = LEFT + group * c + group / 2;
            if (crowded) {
                svg.append("<text class=\"tick\" transform=\"translate(").append(f(cx + 4)).append(' ')
                        .append(f(TOP + plotH + 12)).append(") rotate(-20)\" text-anchor=\"end\">");
            } else {
                svg.append("<text class=\"tick\" x=\"").append(f(cx)).append("\" y=\"").append(f(TOP + plotH + 18))
                        .append("\" text-anchor=\"middle\">");
            }
            String category = categories.get(c);
            boolean cut = crowded && category.length() > 18;
            svg.append(Html.escape(cut ? category.substring(0, 17) + "…" : category));
            if (cut) {
                svg.append("<title>").append(Html.escape(category)).append("</title>");
            }
            svg.append("</text>");
        }
        legend(svg, bars.stream().map(b -> new String[] {b.name(), b.color(), ""}).toList());
        return svg.append("</svg>").toString();
    }

    private static StringBuilder open(String title) {
        StringBuilder svg = new StringBuilder();
        svg.append("<svg class=\"chart\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"").append(Html.escape(title)).append("\"><title>")
                .append(Html.escape(title)).append("</title>");
        svg.append("<text class=\"chart-title\" x=\"").append(LEFT).append("\" y=\"18\">").append(Html.escape(title))
                .append("</text>");
        return svg;
    }

    private static void grid(StringBuilder svg, Axis x, Axis y) {
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        yGrid(svg, y, plotW, plotH);
        for (double t : x.ticks()) {
            double px = LEFT + x.fraction(t) * plotW;
            String anchor = t == x.ticks().getLast() && x.label().apply(t).length() > 3 ? "end" : "middle";
            svg.append("<line class=\"grid\" x1=\"").append(f(px)).append("\" y1=\"").append(TOP).append("\" x2=\"")
                    .append(f(px)).append("\" y2=\"").append(f(TOP + plotH)).append("\"/>");
            svg.append("<text class=\"tick\" x=\"").append(f(px)).append("\" y=\"").append(f(TOP + plotH + 16))
                    .append("\" text-anchor=\"").append(anchor).append("\">").append(Html.escape(x.label().apply(t)))
                    .append("</text>");
        }
        svg.append("<text class=\"axis-title\" x=\"").append(f(LEFT + plotW / 2)).append("\" y=\"").append(HEIGHT - 8)
                .append("\" text-anchor=\"middle\">").append(Html.escape(x.title())).append("</text>");
    }

    private static void yGrid(StringBuilder svg, Axis y, double plotW, double plotH) {
        for (double t : y.ticks()) {
            double py = TOP + plotH - y.fraction(t) * plotH;
            svg.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" y1=\"").append(f(py)).append("\" x2=\"")
                    .append(f(LEFT + plotW)).append("\" y2=\"").append(f(py)).append("\"/>");
            svg.append("<text class=\"tick\" x=\"").append(LEFT - 6).append("\" y=\"").append(f(py + 4))
                    .append("\" text-anchor=\"end\">").append(Html.escape(y.label().apply(t))).append("</text>");
        }
        svg.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(f(TOP + plotH))
                .append("\" x2=\"").append(f(LEFT + plotW)).append("\" y2=\"").append(f(TOP + plotH)).append("\"/>");
        svg.append("<text class=\"axis-title\" transform=\"translate(14 ").append(f(TOP + plotH / 2))
                .append(") rotate(-90)\" text-anchor=\"middle\">").append(Html.escape(y.title())).append("</text>");
    }

    private static void legend(StringBuilder svg, List<String[]> entries) {
        double x = WIDTH - RIGHT;
        StringBuilder items = new StringBuilder();
        for (int i = entries.size() - 1; i >= 0; i--) {
            String[] e = entries.get(i);
            double textW = e[0].length() * 6.4;
            x -= textW + 26;
            items.append("<line x1=\"").append(f(x)).append("\" y1=\"30\" x2=\"").append(f(x + 16))
                    .append("\" y2=\"30\" stroke=\"").append(e[1]).append("\" stroke-width=\"")
                    .append(e[2].isEmpty() ? "3" : "2")
                    .append('"').append(e[2].isEmpty() ? "" : " stroke-dasharray=\"5 3\"").append("/>");
            items.append("<text class=\"legend\" x=\"").append(f(x + 20)).append("\" y=\"34\">")
                    .append(Html.escape(e[0])).append("</text>");
        }
        svg.append("<g class=\"legend\">").append(items).append("</g>");
    }

    /**
     * At most about {@code max} points: consecutive points are bucketed and each bucket keeps its lowest and its
     * highest point, in order, so that a dip to zero or a spike survives the thinning (an average would hide it).
     */
    static List<double[]> decimate(List<double[]> points, int max) {
        if (points.size() <= max) {
            return points;
        }
        int buckets = max / 2;
        List<double[]> out = new ArrayList<>(max);
        for (int b = 0; b < buckets; b++) {
            int from = (int) ((long) points.size() * b / buckets);
            int to = (int) ((long) points.size() * (b + 1) / buckets);
            int low = from;
            int high = from;
            for (int i = from; i < to; i++) {
                if (points.get(i)[1] < points.get(low)[1]) {
                    low = i;
                }
                if (points.get(i)[1] > points.get(high)[1]) {
                    high = i;
                }
            }
            out.add(points.get(Math.min(low, high)));
            if (low != high) {
                out.add(points.get(Math.max(low, high)));
            }
        }
        return out;
    }

    /** Coordinates with one decimal: enough for the eye, small files. */
    static String f(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
