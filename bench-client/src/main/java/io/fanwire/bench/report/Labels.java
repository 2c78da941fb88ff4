package io.fanwire.bench.report;

import java.util.Locale;
import java.util.Map;

/** Column headings for the names in {@link Metric}; names a scenario adds itself are made readable. */
final class Labels {

    private static final Map<String, String> KNOWN = Map.ofEntries(
            Map.entry(Metric.SENT, "Sent"),
            Map.entry(Metric.RECEIVED, "Received"),
            Map.entry(Metric.SERVER_RECEIVED, "Srv received"),
            Map.entry(Metric.SERVER_DELIVERED, "Srv delivered"),
            Map.entry(Metric.LOST, "Lost"),
            Map.entry(Metric.ERRORS, "Errors"),
            Map.entry(Metric.CONNECTED, "Connected"),
            Map.entry(Metric.CONNECT_FAILED, "Connect failed"),
            Map.entry(Metric.DROPPED_CONNECTIONS, "Dropped conns"),
            Map.entry(Metric.GAPS, "Gaps"),
            Map.entry(Metric.DUPLICATES, "Duplicates"),
            Map.entry(Metric.REORDERS, "Reorders"),
            Map.entry(Metric.SERVER_SLOW_DROPS, "Slow drops"),
            Map.entry(Metric.LATE_SENDS, "Late sends"),
            Map.entry(Metric.HTTP_ERRORS, "HTTP errors"),
            Map.entry(Metric.SENT_PER_S, "Sent/s"),
            Map.entry(Metric.RECEIVED_PER_S, "Recv/s"),
            Map.entry(Metric.SERVER_RECEIVED_PER_S, "Srv recv/s"),
            Map.entry(Metric.DELIVERIES_PER_S, "Deliveries/s"),
            Map.entry(Metric.CONNECTS_PER_S, "Connects/s"),
            Map.entry(Metric.REQUESTS_PER_S, "Req/s"),
            Map.entry(Metric.MB_PER_S, "MB/s"),
            Map.entry(Metric.RTT, "RTT"),
            Map.entry(Metric.RTT_UNCORRECTED, "RTT uncorrected"),
            Map.entry(Metric.HANDSHAKE, "Handshake"),
            Map.entry(Metric.DELIVERY, "Delivery"),
            Map.entry(Metric.DELIVERY_UNCORRECTED, "Delivery uncorrected"),
            Map.entry(Metric.HTTP_LATENCY, "HTTP"));

    private Labels() {
    }

    /** {@code server_received_per_s} → {@code Srv recv/s}; {@code fresh_joins} → {@code Fresh joins}. */
    static String of(String metric) {
        String known = KNOWN.get(metric);
        if (known != null) {
            return known;
        }
        String base = metric.endsWith("_per_s") ? metric.substring(0, metric.length() - 6) : metric;
        String words = base.replace('_', ' ');
        String label = words.isEmpty() ? metric
                : words.substring(0, 1).toUpperCase(Locale.ROOT) + words.substring(1);
        return metric.endsWith("_per_s") ? label + "/s" : label;
    }
}
