package io.fanwire.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The server's own message counters at one moment, from one {@code /metrics} scrape (or {@code /api/info}
 * when there are no metrics); -1 where unknown.
 *
 * @param messagesIn  messages received from clients ({@code fanwire_messages_in_total})
 * @param bytesIn     their payload bytes ({@code fanwire_bytes_in_total})
 * @param deliveries  publication frames written to subscribers ({@code fanwire_deliveries_total})
 * @param slowDrops   deliveries skipped for slow consumers ({@code fanwire_slow_consumer_drops_total})
 * @param publications topic publications ({@code fanwire_publications_total})
 */
record ServerCounts(long messagesIn, long bytesIn, long deliveries, long slowDrops, long publications) {

    static final ServerCounts UNKNOWN = new ServerCounts(-1, -1, -1, -1, -1);

    static ServerCounts read(ServerProbe probe) {
        ServerProbe.Metrics m = probe.metrics();
        if (!m.isEmpty() && m.sum("fanwire_messages_in_total", -1) >= 0) {
            return new ServerCounts((long) m.sum("fanwire_messages_in_total", -1),
                    (long) m.sum("fanwire_bytes_in_total", -1), (long) m.sum("fanwire_deliveries_total", -1),
                    (long) m.sum("fanwire_slow_consumer_drops_total", -1),
                    (long) m.sum("fanwire_publications_total", -1));
        }
        // /api/info answers for one node only: across several nodes a missing scrape leaves the counts unknown.
        JsonNode info = probe.nodes() > 1 ? null : probe.info();
        if (info == null) {
            return UNKNOWN;
        }
        return new ServerCounts(info.at("/messages/in").asLong(-1), info.at("/messages/bytes_in").asLong(-1),
                info.at("/pubsub/deliveries").asLong(-1), info.at("/pubsub/slow_consumer_drops").asLong(-1),
                info.at("/pubsub/publications").asLong(-1));
    }

    boolean known() {
        return messagesIn >= 0;
    }

    /** {@code this - before}, field by field; -1 where either is unknown. */
    ServerCounts minus(ServerCounts before) {
        return new ServerCounts(diff(messagesIn, before.messagesIn), diff(bytesIn, before.bytesIn),
                diff(deliveries, before.deliveries), diff(slowDrops, before.slowDrops),
                diff(publications, before.publications));
    }

    private static long diff(long a, long b) {
        return a < 0 || b < 0 ? -1 : a - b;
    }
}
