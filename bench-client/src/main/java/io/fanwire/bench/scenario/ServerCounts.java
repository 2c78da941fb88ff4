package io.fanwire.bench.scenario;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The server's own message counters at one moment, from one {@code /metrics} scrape (or {@code /api/info}
 * when there are no metrics); -1 where unknown.
 *
 * @param messagesIn  messages received from clients ({@code fanwire_messages_in_total})
 * @param bytesIn     their payload bytes ({@code fanwire_bytes_in_total})
 * @param deliveries  publication frames written to subscribers ({@code fanwire_deliveries_total})
 * @param slowDrops   deliveries skipped for slow consumers ({@code fanwire_slow_consumer_drops_total})
 * @param publications topic publications ({@code fanwire_publications_total}); across several nodes the most any
 *                     one node saw, since every node with subscribers of a topic receives each of its publications
 * @param nodePublications each node's publications when several nodes are read (empty for one)
 */
record ServerCounts(long messagesIn, long bytesIn, long deliveries, long slowDrops, long publications,
                    List<Long> nodePublications) {

    static final ServerCounts UNKNOWN = new ServerCounts(-1, -1, -1, -1, -1);

    ServerCounts {
        nodePublications = List.copyOf(nodePublications);
    }

    ServerCounts(long messagesIn, long bytesIn, long deliveries, long slowDrops, long publications) {
        this(messagesIn, bytesIn, deliveries, slowDrops, publications, List.of());
    }

    static ServerCounts read(ServerProbe probe) {
        List<ServerProbe.Metrics> nodes = probe.nodeMetrics();
        ServerProbe.Metrics m = nodes.size() == 1 ? nodes.getFirst() : ServerProbe.Metrics.sum(nodes);
        if (!m.isEmpty() && m.sum("fanwire_messages_in_total", -1) >= 0) {
            List<Long> perNode = nodes.size() == 1 ? List.of()
                    : nodes.stream().map(n -> (long) n.sum("fanwire_publications_total", -1)).toList();
            long publications = nodes.size() == 1 ? (long) m.sum("fanwire_publications_total", -1)
                    : perNode.stream().mapToLong(Long::longValue).max().orElse(-1);
            return new ServerCounts((long) m.sum("fanwire_messages_in_total", -1),
                    (long) m.sum("fanwire_bytes_in_total", -1), (long) m.sum("fanwire_deliveries_total", -1),
                    (long) m.sum("fanwire_slow_consumer_drops_total", -1), publications, perNode);
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

    /**
     * {@code this - before}, field by field; -1 where either is unknown. Across several nodes the publications
     * are the most any one node saw in between.
     */
    ServerCounts minus(ServerCounts before) {
        long published = diff(publications, before.publications);
        if (nodePublications.size() > 1 && nodePublications.size() == before.nodePublications.size()) {
            published = -1;
            for (int i = 0; i < nodePublications.size(); i++) {
                published = Math.max(published, diff(nodePublications.get(i), before.nodePublications.get(i)));
            }
        }
        return new ServerCounts(diff(messagesIn, before.messagesIn), diff(bytesIn, before.bytesIn),
                diff(deliveries, before.deliveries), diff(slowDrops, before.slowDrops), published);
    }

    private static long diff(long a, long b) {
        return a < 0 || b < 0 ? -1 : a - b;
    }
}
