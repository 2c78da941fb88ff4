package io.fanwire.server.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The server's own counters. Written from event loops (so {@link LongAdder}s, never a lock), read by the
 * info endpoint and the embedding API. Labelled counters take their labels from bounded sets (reasons,
 * error codes, close codes), never from users, connections or topics.
 */
public final class ServerStats {

    /** Connections that completed the WebSocket handshake. */
    public final LongAdder connectionsAccepted = new LongAdder();
    /** Connections open now. */
    public final AtomicLong connectionsActive = new AtomicLong();
    /** Upgrade requests refused before the handshake, by HTTP status and reason. */
    public final Labelled handshakesRejected = new Labelled();
    /** Failed authentications, by reason. */
    public final Labelled authFailures = new Labelled();
    /** Failed TLS handshakes, by reason: {@code not_tls}, {@code timeout}, {@code closed}, {@code refused}. */
    public final Labelled tlsHandshakeFailures = new Labelled();
    /** Closed connections, by close code name. */
    public final Labelled disconnects = new Labelled();
    /**
     * Upgrade requests answered with 101, each from its first byte to the 101 being written; recorded into
     * whatever {@link Durations#bind binds} to it (the metrics registry's timer), nowhere before that.
     */
    public final Durations handshakes = new Durations();

    /** Messages received (decoded or not) after the upgrade. */
    public final LongAdder messagesIn = new LongAdder();
    /** Bytes of message payloads received. */
    public final LongAdder bytesIn = new LongAdder();
    /** Messages written to connections. */
    public final LongAdder messagesOut = new LongAdder();
    /** Bytes of frames written to connections. */
    public final LongAdder bytesOut = new LongAdder();
    /** Client messages answered with an {@code error}, by error code. */
    public final Labelled protocolErrors = new Labelled();

    /** Topic publications stamped and delivered to this node. */
    public final LongAdder publications = new LongAdder();
    /** Publication frames written to subscribers (fan-out deliveries, replays included). */
    public final LongAdder deliveries = new LongAdder();
    /** Publications replayed to recovering subscribers. */
    public final LongAdder replayed = new LongAdder();
    /** Queue group publications another node of the cluster delivered (this node's members did not get them). */
    public final LongAdder queueGroupRemote = new LongAdder();
    /** Queue group publications delivered here because the broker could not say which node should (may repeat). */
    public final LongAdder queueGroupClaimFailures = new LongAdder();
    /** Presence reports and reads the shared presence (Redis) could not take; this node's own was used. */
    public final LongAdder presenceSyncFailures = new LongAdder();
    /** Deliveries skipped because the subscriber's outbound buffer was full (slow-consumer policy drop). */
    public final LongAdder slowConsumerDrops = new LongAdder();
    /** Presence events not sent to a subscriber whose outbound buffer was full (never a reason to disconnect). */
    public final LongAdder presenceDrops = new LongAdder();
    /** Connections closed with 1013 by the slow-consumer policy. */
    public final LongAdder slowConsumerDisconnects = new LongAdder();
    /** Subscriptions held now. */
    public final AtomicLong subscriptionsActive = new AtomicLong();
    /** Subscribe or publish requests refused, by error code. */
    public final Labelled pubsubRejections = new Labelled();

    // Abuse limits and token lifetime (docs/PROTOCOL.md §4.8, §6.2)
    /** Messages refused because their connection was over its message budget (answered RATE_LIMITED, or closed). */
    public final LongAdder rateLimitedMessages = new LongAdder();
    /** {@code rate_limit_warning}s sent. */
    public final LongAdder rateLimitWarnings = new LongAdder();
    /** Control frames (pings, pongs) over their connection's budget: pings left unanswered. */
    public final LongAdder controlFramesRefused = new LongAdder();
    /** Connections closed with 1008 for abuse, by what they abused: {@code message_rate}, {@code control_rate}. */
    public final Labelled abuseCloses = new Labelled();
    /** {@code refresh} requests by outcome: {@code ok}, or the rejection reason ({@code expired}, {@code wrong_subject}, ...). */
    public final Labelled tokenRefreshes = new Labelled();
    /** Connections closed with 4401 because their token expired without a refresh. */
    public final LongAdder tokenExpiryCloses = new LongAdder();
    /** Key set (JWKS) fetches by outcome: {@code ok}, {@code failed}. */
    public final Labelled jwksFetches = new Labelled();

    /**
     * Server API requests ({@code /api/*}), by route and answered HTTP status: {@code publish_200},
     * {@code history_400}, {@code unknown_404}. Routes are the API's own names, never the requested path.
     */
    public final Labelled apiRequests = new Labelled();

    /** Events handed to the application (drain queue or callbacks). */
    public final LongAdder eventsEnqueued = new LongAdder();
    /** Events the application took (drained or handled). */
    public final LongAdder eventsDelivered = new LongAdder();
    /** Messages refused because the inbound queue was at capacity (answered with an error). */
    public final LongAdder eventsRejected = new LongAdder();
    /** Callback handler invocations that threw. */
    public final LongAdder handlerErrors = new LongAdder();
    /** Times reading from sockets was paused because the inbound queue passed its high-water mark. */
    public final LongAdder backpressurePauses = new LongAdder();

    /** 1 while the server drains (graceful shutdown), else 0. */
    public final AtomicLong draining = new AtomicLong();
    /** Connections closed by a shutdown, by close code name: {@code draining} (4300) or {@code going_away} (1001). */
    public final Labelled shutdownCloses = new Labelled();
    /** Inbound events still waiting for the application when the server stopped. */
    public final LongAdder shutdownUnprocessedEvents = new LongAdder();
    /** Connections closed with 4300 because they reached their maximum lifetime. */
    public final LongAdder lifetimeCloses = new LongAdder();
    /** Failed accepts on a listening socket, by reason ({@code too_many_open_files}, {@code other}). */
    public final Labelled acceptErrors = new Labelled();

    /**
     * A family of counters keyed by a label from a bounded set. Whoever exports the family (the metrics
     * registry) {@link #onLabel listens} for labels as they first appear, so it never polls for new ones.
     */
    public static final class Labelled {
        private final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();
        private final CopyOnWriteArrayList<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

        /** Adds one to the counter of {@code label}. */
        public void increment(String label) {
            LongAdder adder = counters.get(label);
            (adder != null ? adder : create(label)).increment();
        }

        private LongAdder create(String label) {
            LongAdder created = new LongAdder();
            LongAdder prior = counters.putIfAbsent(label, created);
            if (prior != null) {
                return prior;
            }
            for (Consumer<String> listener : listeners) {
                listener.accept(label);
            }
            return created;
        }

        /**
         * Calls {@code listener} with every label there is now, and later with each new label once, on the
         * thread that first counts it (an event loop: the listener must be quick and must not block). A label
         * that appears while the listener is being added may be passed twice.
         */
        public void onLabel(Consumer<String> listener) {
            Objects.requireNonNull(listener, "listener");
            listeners.add(listener);
            counters.keySet().forEach(listener);
        }

        /** The count of {@code label}. */
        public long get(String label) {
            LongAdder adder = counters.get(label);
            return adder == null ? 0 : adder.sum();
        }

        /** The sum over every label. */
        public long total() {
            long sum = 0;
            for (LongAdder adder : counters.values()) {
                sum += adder.sum();
            }
            return sum;
        }

        /** Every label's count, sorted by label. */
        public Map<String, Long> snapshot() {
            Map<String, Long> out = new LinkedHashMap<>();
            counters.keySet().stream().sorted().forEach(k -> out.put(k, counters.get(k).sum()));
            return out;
        }
    }

    /** Durations handed to a sink that is bound once, when metrics are set up; dropped until then. */
    public static final class Durations {
        private static final LongConsumer NONE = ignored -> { };

        private volatile LongConsumer sink = NONE;

        /** Records {@code nanos}. */
        public void recordNanos(long nanos) {
            sink.accept(nanos);
        }

        /**
         * Sends every later duration, in nanoseconds, to {@code sink}.
         *
         * @throws IllegalStateException when a sink is bound already
         */
        public synchronized void bind(LongConsumer sink) {
            Objects.requireNonNull(sink, "sink");
            if (this.sink != NONE) {
                throw new IllegalStateException("durations already bound");
            }
            this.sink = sink;
        }
    }

    /** Every counter as a nested map for the info endpoint. */
    public Map<String, Object> snapshot() {
        Map<String, Object> connections = new LinkedHashMap<>();
        connections.put("active", connectionsActive.get());
        connections.put("accepted", connectionsAccepted.sum());
        connections.put("rejected", handshakesRejected.snapshot());
        connections.put("auth_failures", authFailures.snapshot());
        connections.put("disconnects", disconnects.snapshot());

        Map<String, Object> messages = new LinkedHashMap<>();
        messages.put("in", messagesIn.sum());
        messages.put("bytes_in", bytesIn.sum());
        messages.put("out", messagesOut.sum());
        messages.put("bytes_out", bytesOut.sum());
        messages.put("errors", protocolErrors.snapshot());

        Map<String, Object> events = new LinkedHashMap<>();
        events.put("enqueued", eventsEnqueued.sum());
        events.put("delivered", eventsDelivered.sum());
        events.put("rejected", eventsRejected.sum());
        events.put("handler_errors", handlerErrors.sum());
        events.put("backpressure_pauses", backpressurePauses.sum());

        Map<String, Object> pubsub = new LinkedHashMap<>();
        pubsub.put("subscriptions", subscriptionsActive.get());
        pubsub.put("publications", publications.sum());
        pubsub.put("deliveries", deliveries.sum());
        pubsub.put("replayed", replayed.sum());
        pubsub.put("slow_consumer_drops", slowConsumerDrops.sum());
        pubsub.put("slow_consumer_disconnects", slowConsumerDisconnects.sum());
        pubsub.put("presence_drops", presenceDrops.sum());
        pubsub.put("rejections", pubsubRejections.snapshot());

        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("rate_limited_messages", rateLimitedMessages.sum());
        limits.put("rate_limit_warnings", rateLimitWarnings.sum());
        limits.put("control_frames_refused", controlFramesRefused.sum());
        limits.put("abuse_closes", abuseCloses.snapshot());
        limits.put("token_refreshes", tokenRefreshes.snapshot());
        limits.put("token_expiry_closes", tokenExpiryCloses.sum());
        limits.put("jwks_fetches", jwksFetches.snapshot());
        connections.put("lifetime_closes", lifetimeCloses.sum());
        connections.put("accept_errors", acceptErrors.snapshot());

        Map<String, Object> shutdown = new LinkedHashMap<>();
        shutdown.put("draining", draining.get() != 0);
        shutdown.put("closes", shutdownCloses.snapshot());
        shutdown.put("unprocessed_events", shutdownUnprocessedEvents.sum());

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("connections", connections);
        out.put("limits", limits);
        out.put("pubsub", pubsub);
        out.put("messages", messages);
        out.put("events", events);
        out.put("api", Map.of("requests", apiRequests.snapshot()));
        out.put("shutdown", shutdown);
        return out;
    }
}
