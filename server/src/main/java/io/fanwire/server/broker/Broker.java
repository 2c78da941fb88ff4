package io.fanwire.server.broker;

import java.util.concurrent.CompletionStage;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.StreamPosition;

/**
 * The authoritative stamper and carrier of topic publications. Every publication gets its
 * {@code (epoch, offset)} here and only here, so that a broker shared by several nodes (Redis) keeps one
 * numbering per topic across the cluster.
 *
 * <p>Contract:
 * <ul>
 * <li>{@link #publish} is asynchronous: it never blocks the caller (an event loop, often) and completes with
 *     the stamp, or exceptionally when the broker could not accept the publication (the caller reports it).</li>
 * <li>The {@link PublicationListener} sees each topic's publications in offset order, exactly once per node
 *     that declared {@link #interest} in the topic.</li>
 * <li>History and positions are read asynchronously as well; an implementation that holds them in memory
 *     completes immediately.</li>
 * <li>A {@link #history} read after {@link #interest interest(topic, true)} sees the stream no earlier than the
 *     moment delivery of the topic to this node began (a remote broker reads only once its subscription is
 *     confirmed), so a new subscriber misses nothing between its history page and the live publications.</li>
 * <li>Publications may reach the listener from the broker's own threads (Redis) or the publisher's.</li>
 * </ul>
 */
public interface Broker extends AutoCloseable {

    /** Starts delivering publications to {@code listener}. Called once, before any other method. */
    void start(PublicationListener listener);

    /**
     * Stamps {@code message} as the next publication of {@code topic} and delivers it.
     *
     * @param message the publication without a stamp; the broker adds {@code tp}, {@code e} and {@code o}
     * @return the stamp, or a failure when the publication was not accepted
     */
    CompletionStage<StreamPosition> publish(String topic, Envelope message);

    /** Declares whether this node has subscribers of {@code topic} (so the broker delivers it here or not). */
    void interest(String topic, boolean interested);

    /**
     * Publications of {@code topic} after {@code since}, at most {@code limit}, and the current position.
     *
     * @param since the last position a client saw, or {@code null} for just the current position
     */
    CompletionStage<HistoryPage> history(String topic, StreamPosition since, int limit);

    /**
     * Whether this node delivers the publication at {@code (epoch, offset)} of {@code topic} to a member of queue
     * group {@code group}: of all the nodes that ask, exactly one is told yes, so a group gets each publication
     * once across the cluster. A broker of one node always says yes (and completes at once). Fails when the
     * broker cannot decide (the caller then delivers, and counts it: it may be a duplicate).
     */
    default CompletionStage<Boolean> claimGroupDelivery(String topic, String group, String epoch, long offset) {
        return CLAIMED;
    }

    /** The completed "yes" of a broker of one node: no allocation per publication. */
    CompletionStage<Boolean> CLAIMED = java.util.concurrent.CompletableFuture.completedFuture(Boolean.TRUE);

    /**
     * Presence shared by the cluster, or {@code null} for a broker of one node (the node's own presence is then
     * the whole truth).
     */
    default SharedPresence sharedPresence() {
        return null;
    }

    /**
     * Presence kept where every node sees it. A node reports, per topic and user, how many of its own connections
     * announce presence and their latest data; the store decides when a user joins, changes or leaves the
     * cluster's presence and tells every interested node ({@link Listener}), the reporting node included. A node
     * that stops reporting (it died) drops out within a bounded time. Nothing here blocks.
     */
    interface SharedPresence {

        /**
         * Sets this node's share of {@code user} in {@code topic}: {@code connections} of its connections with
         * {@code dataJson} (0: none any more). Completes with false when the user is new and the topic already
         * holds {@code maxMembers} users. Calls for one topic and user must be made in order.
         */
        CompletionStage<Boolean> report(String topic, String user, int connections, String dataJson, int maxMembers);

        /** The cluster's present users of {@code topic}: data (as JSON) and connections, by user id. */
        CompletionStage<java.util.Map<String, Member>> members(String topic);

        /** Starts passing the cluster's presence events of topics this node is interested in to {@code listener}. */
        void listen(Listener listener);

        /** One present user, cluster-wide. */
        record Member(String dataJson, int connections) {
        }

        /** Receives presence changes; called from the broker's threads, must not block. */
        interface Listener {
            /**
             * @param type {@code presence_join}, {@code presence_update} or {@code presence_leave}
             * @param dataJson the user's data, or {@code null} on leave
             */
            void onPresence(String topic, String type, String user, String dataJson);

            /** The store may have lost what this node reported (Redis restarted): report everything again. */
            void onResync();
        }
    }

    /** What the broker holds, for the info endpoint and metrics. */
    BrokerStats stats();

    /** How the broker's link to other nodes fares; a broker of one node is always connected and loses nothing. */
    default LinkStats link() {
        return LinkStats.LOCAL;
    }

    @Override
    void close();

    /** Receives publications for topics this node is interested in. */
    @FunctionalInterface
    interface PublicationListener {
        /** Called in offset order per topic; must not block. */
        void onPublication(Publication publication);
    }

    /**
     * What a broker holds.
     *
     * @param streams topic streams held
     * @param historyPublications publications kept in history
     * @param historyBytes bytes of the publications kept in history
     * @param evictedStreams streams dropped to stay within the memory budget or their TTL
     */
    record BrokerStats(long streams, long historyPublications, long historyBytes, long evictedStreams) {
    }

    /**
     * The link of a shared broker (Redis): what it could not pass on, and how often it reconnected.
     *
     * @param connected whether the broker is reachable now
     * @param pendingPublishes publications waiting for the broker's answer
     * @param publishOverflows publications refused at once because too many were waiting
     * @param publishFailures publications the broker failed or did not answer in time
     * @param localOnlyPublications publications stamped and delivered on this node only while the broker was
     *        unreachable: the other nodes never get them
     * @param missedPublications publications of subscribed topics this node never received (offset jumps)
     * @param streamResets times a subscribed topic's epoch changed under this node (the stream was lost)
     * @param reconnects connections re-established to the broker
     * @param resubscriptions topic subscriptions renewed after a reconnect
     */
    record LinkStats(boolean connected, long pendingPublishes, long publishOverflows, long publishFailures,
                     long localOnlyPublications, long missedPublications, long streamResets, long reconnects,
                     long resubscriptions) {

        /** A broker of this node only. */
        public static final LinkStats LOCAL = new LinkStats(true, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
