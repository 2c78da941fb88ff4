package io.fanwire.server.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Exports the server's own figures ({@link ServerStats} and the getters of {@link Sources}) as {@code fanwire_*}
 * meters. Nothing here is on the hot path: counters and gauges are functions over the {@code LongAdder}s and
 * getters that already exist, read when the registry is scraped; a labelled family gets one counter per label
 * when that label first appears. Only the handshake timer is recorded as it happens, once per connection.
 *
 * <p>The registry holds the measured objects weakly, as Micrometer does; whoever binds this keeps it (and so its
 * sources) reachable for as long as the meters should report. {@link #close()} removes every meter it registered,
 * for a registry that outlives the server.
 */
public final class FanwireMetrics implements MeterBinder, AutoCloseable {

    /** The buckets of the handshake duration histogram. */
    static final Duration[] HANDSHAKE_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500)};

    /**
     * What the meters read besides {@link ServerStats}. Each is called at scrape time, from any thread, and
     * must be cheap and non-blocking.
     *
     * @param topics topics with subscribers on this node
     * @param historyStreams topic streams the broker holds
     * @param historyPublications publications held in history
     * @param historyBytes bytes of the publications held in history
     * @param evictedStreams streams evicted from history so far (a counter)
     * @param queueEvents inbound events accepted and not yet taken by the application
     * @param queueBytes bytes of those events
     * @param parkedConnections connections whose reads are paused by backpressure now
     * @param heapUsedAfterGcRatio heap in use after the last collection over the maximum heap
     * @param presenceMembers present users summed over the topics of this node
     */
    public record Sources(LongSupplier topics, LongSupplier historyStreams, LongSupplier historyPublications,
                          LongSupplier historyBytes, LongSupplier evictedStreams, LongSupplier queueEvents,
                          LongSupplier queueBytes, LongSupplier parkedConnections, DoubleSupplier heapUsedAfterGcRatio,
                          LongSupplier presenceMembers) {

        /** Without presence. */
        public Sources(LongSupplier topics, LongSupplier historyStreams, LongSupplier historyPublications,
                       LongSupplier historyBytes, LongSupplier evictedStreams, LongSupplier queueEvents,
                       LongSupplier queueBytes, LongSupplier parkedConnections, DoubleSupplier heapUsedAfterGcRatio) {
            this(topics, historyStreams, historyPublications, historyBytes, evictedStreams, queueEvents, queueBytes,
                    parkedConnections, heapUsedAfterGcRatio, () -> 0);
        }

        public Sources {
            Objects.requireNonNull(topics, "topics");
            Objects.requireNonNull(historyStreams, "historyStreams");
            Objects.requireNonNull(historyPublications, "historyPublications");
            Objects.requireNonNull(historyBytes, "historyBytes");
            Objects.requireNonNull(evictedStreams, "evictedStreams");
            Objects.requireNonNull(queueEvents, "queueEvents");
            Objects.requireNonNull(queueBytes, "queueBytes");
            Objects.requireNonNull(parkedConnections, "parkedConnections");
            Objects.requireNonNull(heapUsedAfterGcRatio, "heapUsedAfterGcRatio");
            Objects.requireNonNull(presenceMembers, "presenceMembers");
        }
    }

    private final ServerStats stats;
    private final Sources sources;
    private final ConcurrentLinkedQueue<Meter> meters = new ConcurrentLinkedQueue<>();
    private volatile MeterRegistry registry;
    private volatile boolean closed;

    public FanwireMetrics(ServerStats stats, Sources sources) {
        this.stats = Objects.requireNonNull(stats, "stats");
        this.sources = Objects.requireNonNull(sources, "sources");
    }

    /**
     * Registers every meter with {@code registry}, and the handshake timer as the sink of
     * {@link ServerStats#handshakes}.
     *
     * @throws IllegalStateException when bound before
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (this.registry != null) {
            throw new IllegalStateException("already bound");
        }
        this.registry = Objects.requireNonNull(registry, "registry");
        ServerStats s = stats;

        // Connections
        gauge("fanwire.connections.active", s.connectionsActive, Number::doubleValue, "WebSocket connections open now");
        counter("fanwire.connections.accepted", s.connectionsAccepted, "Connections that completed the WebSocket handshake");
        labelled("fanwire.connections.rejected", s.handshakesRejected, FanwireMetrics::statusAndReason,
                "Upgrade requests refused before the handshake, by HTTP status and reason");
        labelled("fanwire.disconnects", s.disconnects, label -> Tags.of("code", label),
                "Closed WebSocket connections, by close code name");
        labelled("fanwire.auth.failures", s.authFailures, label -> Tags.of("reason", label),
                "Failed authentications (upgrade tokens and API keys), by reason");
        labelled("fanwire.tls.handshake.failures", s.tlsHandshakeFailures, label -> Tags.of("reason", label),
                "Failed TLS handshakes: not_tls (plain bytes), timeout, closed (by the client) or refused "
                        + "(no common protocol version or cipher suite, bad record)");
        Timer handshakes = register(Timer.builder("fanwire.handshake.duration")
                .description("WebSocket upgrades from the first byte of the request to the 101 written")
                .serviceLevelObjectives(HANDSHAKE_BUCKETS)
                .register(registry));
        s.handshakes.bind(nanos -> handshakes.record(nanos, TimeUnit.NANOSECONDS));

        // Messages
        counter("fanwire.messages.in", s.messagesIn, "Messages received from clients after the upgrade");
        counter("fanwire.messages.out", s.messagesOut, "Messages written to clients");
        counter("fanwire.bytes.in", s.bytesIn, "Bytes of message payloads received from clients");
        counter("fanwire.bytes.out", s.bytesOut, "Bytes of frames written to clients");
        labelled("fanwire.protocol.errors", s.protocolErrors, label -> Tags.of("code", label),
                "Client messages answered with an error or a protocol close, by error code");

        // Topics and fan-out
        counter("fanwire.publications", s.publications, "Topic publications stamped and delivered to this node");
        counter("fanwire.deliveries", s.deliveries, "Publication frames written live to subscribers (replays apart)");
        counter("fanwire.publications.replayed", s.replayed, "Publications replayed to recovering subscribers");
        counter("fanwire.queue_group.remote", s.queueGroupRemote,
                "Queue group publications another node of the cluster delivered to its member instead of this one");
        counter("fanwire.presence.sync_failures", s.presenceSyncFailures,
                "Presence reports and reads the cluster's shared presence (Redis) could not take; this node's was used");
        counter("fanwire.queue_group.claim_failures", s.queueGroupClaimFailures,
                "Queue group publications delivered here because the broker could not say which node should");
        counter("fanwire.slow_consumer.drops", s.slowConsumerDrops,
                "Deliveries skipped because the subscriber's outbound buffer was full");
        counter("fanwire.presence.drops", s.presenceDrops,
                "Presence events not sent to a subscriber whose outbound buffer was full");
        gauge("fanwire.presence.members", sources, src -> src.presenceMembers().getAsLong(),
                "Present users summed over the topics of this node");
        counter("fanwire.slow_consumer.disconnects", s.slowConsumerDisconnects,
                "Connections closed with 1013 by the slow-consumer policy");
        gauge("fanwire.subscriptions", s.subscriptionsActive, Number::doubleValue, "Subscriptions held now");
        labelled("fanwire.pubsub.rejections", s.pubsubRejections, label -> Tags.of("code", label),
                "Subscribe and publish requests refused, by error code");
        gauge("fanwire.topics", sources, src -> src.topics().getAsLong(), "Topics with subscribers on this node");
        gauge("fanwire.history.streams", sources, src -> src.historyStreams().getAsLong(),
                "Topic streams the broker holds");
        gauge("fanwire.history.publications", sources, src -> src.historyPublications().getAsLong(),
                "Publications held in history for recovery");
        bytesGauge("fanwire.history", sources, src -> src.historyBytes().getAsLong(),
                "Bytes of the publications held in history");
        register(FunctionCounter.builder("fanwire.history.evicted_streams", sources,
                        src -> src.evictedStreams().getAsLong())
                .description("Streams evicted from history to stay within its memory budget or TTL")
                .register(registry));

        // Inbound queue (drain or callback mode)
        gauge("fanwire.drain.queue.events", sources, src -> src.queueEvents().getAsLong(),
                "Inbound events accepted and not yet taken by the application");
        bytesGauge("fanwire.drain.queue", sources, src -> src.queueBytes().getAsLong(),
                "Bytes of the inbound events waiting (message bytes plus a fixed cost per event)");
        gauge("fanwire.drain.parked_connections", sources, src -> src.parkedConnections().getAsLong(),
                "Connections whose reads are paused by backpressure now");
        counter("fanwire.drain.backpressure_pauses", s.backpressurePauses,
                "Times reading from sockets was paused because the inbound queue passed its high-water mark");
        counter("fanwire.drain.events.enqueued", s.eventsEnqueued, "Events handed to the application's queue");
        counter("fanwire.drain.events.delivered", s.eventsDelivered, "Events the application took");
        counter("fanwire.drain.events.rejected", s.eventsRejected,
                "Messages refused because the inbound queue was at capacity");
        counter("fanwire.drain.handler_errors", s.handlerErrors, "Callback handler invocations that threw");

        // Memory (the readiness budget compares this with health.max_heap_ratio)
        register(Gauge.builder("fanwire.heap.used_after_gc", sources, src -> src.heapUsedAfterGcRatio().getAsDouble())
                .baseUnit("ratio")
                .description("Heap in use after the last collection over the maximum heap")
                .register(registry));

        // Abuse limits, token lifetime, key sets
        counter("fanwire.rate_limited.messages", s.rateLimitedMessages,
                "Messages refused because their connection was over its message budget");
        counter("fanwire.rate_limit.warnings", s.rateLimitWarnings, "rate_limit_warning messages sent");
        counter("fanwire.control_frames.refused", s.controlFramesRefused,
                "Control frames over their connection's budget (pings left unanswered)");
        labelled("fanwire.abuse.closes", s.abuseCloses, label -> Tags.of("reason", label),
                "Connections closed with 1008 for abuse, by reason");
        labelled("fanwire.token.refreshes", s.tokenRefreshes, label -> Tags.of("result", label),
                "Token refresh requests, by result (ok or the rejection reason)");
        counter("fanwire.token.expiry_closes", s.tokenExpiryCloses,
                "Connections closed with 4401 because their token expired without a refresh");
        labelled("fanwire.jwks.fetches", s.jwksFetches, label -> Tags.of("result", label),
                "Key set (JWKS) fetches, by result");
        // Lifecycle: graceful drain, connection lifetime, the accept loop
        gauge("fanwire.shutdown.draining", s.draining, Number::doubleValue, "1 while the server drains, else 0");
        labelled("fanwire.shutdown.closes", s.shutdownCloses, label -> Tags.of("code", label),
                "Connections closed by a shutdown: draining (4300, paced) or going_away (1001, at the deadline)");
        counter("fanwire.shutdown.events.unprocessed", s.shutdownUnprocessedEvents,
                "Inbound events still waiting for the application when the server stopped");
        counter("fanwire.connections.lifetime_closes", s.lifetimeCloses,
                "Connections closed with 4300 because they reached their maximum lifetime");
        labelled("fanwire.accept.errors", s.acceptErrors, label -> Tags.of("reason", label),
                "Failed accepts on a listening socket (the acceptor pauses 1 s and goes on), by reason");

        // Server API
        labelled("fanwire.api.requests", s.apiRequests, FanwireMetrics::routeAndStatus,
                "Server API requests, by route and answered HTTP status");
    }

    /** Removes every meter this registered. */
    @Override
    public synchronized void close() {
        closed = true;
        MeterRegistry bound = registry;
        if (bound != null) {
            for (Meter meter; (meter = meters.poll()) != null; ) {
                bound.remove(meter);
            }
        }
    }

    /** {@code 401_auth} → status 401, reason auth; a label of another shape is all reason. */
    static Tags statusAndReason(String label) {
        int sep = label.indexOf('_');
        if (sep == 3 && Character.isDigit(label.charAt(0)) && Character.isDigit(label.charAt(1))
                && Character.isDigit(label.charAt(2))) {
            return Tags.of("status", label.substring(0, sep), "reason", label.substring(sep + 1));
        }
        return Tags.of("status", "", "reason", label);
    }

    /** {@code publish_200} → route publish, status 200; a label of another shape is all route. */
    static Tags routeAndStatus(String label) {
        int sep = label.lastIndexOf('_');
        if (sep > 0 && sep == label.length() - 4) {
            return Tags.of("route", label.substring(0, sep), "status", label.substring(sep + 1));
        }
        return Tags.of("route", label, "status", "");
    }

    private void counter(String name, LongAdder adder, String description) {
        register(FunctionCounter.builder(name, adder, LongAdder::doubleValue)
                .description(description)
                .register(registry));
    }

    private <T> void gauge(String name, T obj, ToDoubleFunction<T> value, String description) {
        register(Gauge.builder(name, obj, value).description(description).register(registry));
    }

    private <T> void bytesGauge(String name, T obj, ToDoubleFunction<T> value, String description) {
        register(Gauge.builder(name, obj, value).baseUnit("bytes").description(description).register(registry));
    }

    private void labelled(String name, ServerStats.Labelled family, Function<String, Tags> tags, String description) {
        family.onLabel(label -> registerLabel(name, family, label, tags, description));
    }

    /** Runs once per new label, on the thread that counted it first: rare, so the monitor costs nothing. */
    private synchronized void registerLabel(String name, ServerStats.Labelled family, String label,
                                            Function<String, Tags> tags, String description) {
        if (closed) {
            return;
        }
        // Registering a label a second time (a race of onLabel) returns the meter already there.
        register(FunctionCounter.builder(name, family, f -> f.get(label))
                .tags(tags.apply(label))
                .description(description)
                .register(registry));
    }

    private <M extends Meter> M register(M meter) {
        meters.add(meter);
        return meter;
    }

    /** The meters registered so far (tests). */
    List<Meter> meters() {
        return new ArrayList<>(meters);
    }
}
