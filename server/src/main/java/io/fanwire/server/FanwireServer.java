package io.fanwire.server;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.jwt.JwtVerifier;
import io.fanwire.common.protocol.ApplicationMessage;
import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.Features;
import io.fanwire.common.protocol.ServerMessage;
import io.fanwire.common.protocol.ClientMessage.Action;
import io.fanwire.common.protocol.ClientMessage.Subscription;
import io.fanwire.common.protocol.ServerMessage.PresenceUser;
import io.fanwire.common.protocol.StreamPosition;
import io.fanwire.server.ServerConfig.PubSubConfig;
import io.fanwire.server.auth.Authenticator;
import io.fanwire.server.auth.JwksKeySource;
import io.fanwire.server.broker.Broker;
import io.fanwire.server.broker.HistoryPage;
import io.fanwire.server.broker.InMemoryBroker;
import io.fanwire.server.broker.RedisBroker;
import io.fanwire.server.pubsub.PubSub;
import io.fanwire.server.drain.CallbackDispatcher;
import io.fanwire.server.drain.ConnectionInfo;
import io.fanwire.server.drain.DrainQueue;
import io.fanwire.server.drain.EventHandler;
import io.fanwire.server.drain.EventSink;
import io.fanwire.server.drain.InboundEvent;
import io.fanwire.server.http.ApiRoutes;
import io.fanwire.server.http.ConnectionLimits;
import io.fanwire.server.http.HttpServices;
import io.fanwire.server.http.ServerApi;
import io.fanwire.server.metrics.BrokerMetrics;
import io.fanwire.server.metrics.EventLoopLagProbe;
import io.fanwire.server.metrics.FanwireMetrics;
import io.fanwire.server.metrics.HeapBudget;
import io.fanwire.server.metrics.MetricsExposition;
import io.fanwire.server.metrics.NettyMemoryMetrics;
import io.fanwire.server.metrics.RuntimeMetrics;
import io.fanwire.server.metrics.ServerStats;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.fanwire.server.session.Heartbeat;
import io.fanwire.server.session.RetryHint;
import io.fanwire.server.session.Session;
import io.fanwire.server.session.SessionRegistry;
import io.fanwire.server.session.SessionServices;
import io.fanwire.server.transport.AcceptErrorHandler;
import io.fanwire.server.transport.ServerChannelInitializer;
import io.fanwire.server.transport.ServerTls;
import io.fanwire.server.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * A Fanwire server, embeddable in any JVM application.
 *
 * <pre>{@code
 * try (FanwireServer server = FanwireServer.builder()
 *         .config(ServerConfig.builder()
 *                 .port(8000)
 *                 .auth(AuthConfig.jwt(JwtVerifierConfig.builder(JwtAlgorithm.HS256,
 *                         JwtKeys.hmacKey(JwtAlgorithm.HS256, secret)).build()))
 *                 .build())
 *         .build()
 *         .start()) {
 *     while (running) {
 *         for (InboundEvent event : server.drain(512, Duration.ofMillis(100))) {
 *             if (event instanceof InboundEvent.Message m && m.envelope().type().equals("chat")) {
 *                 server.send(m.connection().id(), Envelope.of("chat", m.envelope().payload()));
 *             }
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Inbound events reach the application in one of two ways: <b>drain mode</b> (the default), where the
 * application takes batches with {@link #drain(int, Duration)}, or <b>callback mode</b>
 * ({@link Builder#handler(EventHandler, Executor)}), where a handler is called on the application's executor.
 * Both bound the events waiting for the application and stop reading from sockets while it is behind.
 * Outbound calls ({@link #send}, {@link #sendToUser}, {@link #disconnect}) are thread-safe and never block.
 *
 * <p><b>Metrics.</b> Each server has a Prometheus registry of its own, with the {@code fanwire_*} meters and the
 * JVM's, served on {@code GET /metrics} (see {@link ServerConfig.MetricsConfig}) and available as
 * {@link #meterRegistry()}. An application with a registry of its own passes it to
 * {@link Builder#meterRegistry(MeterRegistry)} instead: the server then registers only its {@code fanwire_*}
 * meters there (binding JVM metrics is the application's business), removes them when it closes, and serves
 * {@code /metrics} only when that registry is a {@code PrometheusMeterRegistry}.
 */
public final class FanwireServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FanwireServer.class);

    /** The server's version, from the jar manifest ({@code dev} when run from classes). */
    public static final String VERSION = Optional.ofNullable(FanwireServer.class.getPackage().getImplementationVersion())
            .orElse("dev");

    /** How long {@link #close()} waits for connections to finish their close handshake. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    private enum State { NEW, RUNNING, DRAINING, STOPPING, STOPPED }

    /** How often the drain looks at its progress: pacing batches and the wait for the application. */
    private static final long DRAIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final ServerConfig config;
    private final ServerStats stats = new ServerStats();
    private final SessionRegistry registry = new SessionRegistry();
    private final DrainQueue drainQueue;
    private final EventSink sink;
    private final JwtVerifier verifier;
    /** Keys fetched from a JWKS URL, or {@code null}. */
    private final JwksKeySource keySource;
    private final Map<String, Supplier<?>> infoContributors;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Broker broker;
    private final FrameCodec codec;
    private final MeterRegistry meterRegistry;
    /** Whether the registry is this server's own: then it also carries the JVM's meters, and closes with it. */
    private final boolean ownsRegistry;
    private final HeapBudget heapBudget;
    private final boolean echoFrames;
    private PubSub pubsub;
    private FanwireMetrics metrics;
    private BrokerMetrics brokerMetrics;
    private EventLoopLagProbe lagProbe;
    private RuntimeMetrics runtimeMetrics;
    private ExecutorService metricsExecutor;

    private volatile State state = State.NEW;
    private Transport transport;
    private EventLoopGroup bossGroup;
    private io.netty.channel.MultiThreadIoEventLoopGroup workerGroup;
    private Heartbeat heartbeat;
    private Channel serverChannel;
    /** The server API's own listener, when {@code apiPort} is configured. */
    private Channel apiChannel;
    private Instant startedAt;
    /** Completes once the server has stopped, by {@link #close()} or at the end of a drain. */
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    /** The graceful drain under way, once one was asked for. */
    private Thread drainThread;
    /** What tokens are checked against: the verifier's and the sessions' expiry alike. */
    private final Clock clock;

    private FanwireServer(Builder builder) {
        this.config = Objects.requireNonNull(builder.config, "config");
        this.clock = builder.clock;
        this.keySource = config.auth().jwks() == null ? null
                : new JwksKeySource(config.auth().jwks(), config.auth().jwt().algorithm(), stats);
        this.verifier = config.auth().required() ? new JwtVerifier(config.auth().jwt(), keySource, builder.clock) : null;
        if (builder.handler != null) {
            this.drainQueue = null;
            this.sink = new CallbackDispatcher(builder.handler, builder.executor, config.drain(), stats);
        } else {
            this.drainQueue = new DrainQueue(config.drain(), stats);
            this.sink = drainQueue;
        }
        this.infoContributors = Map.copyOf(builder.infoContributors);
        this.codec = new FrameCodec(config.decodeLimits());
        PubSubConfig ps = config.pubsub();
        if (builder.broker != null) {
            this.broker = builder.broker;
        } else if (config.cluster().redis() != null) {
            this.broker = new RedisBroker(config.cluster().redis(), ps.historySize(), ps.historyTtl(), codec.json());
        } else {
            this.broker = new InMemoryBroker(
                    new InMemoryBroker.Config(ps.historySize(), ps.historyTtl(), ps.historyMemoryBytes()), codec.json());
        }
        this.ownsRegistry = builder.meterRegistry == null;
        this.meterRegistry = ownsRegistry ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : builder.meterRegistry;
        this.heapBudget = HeapBudget.ofJvm(config.maxHeapRatio());
        this.echoFrames = builder.echoFrames;
    }

    /** A builder; {@link Builder#config(ServerConfig)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the port and starts serving. Blocks until the port is bound.
     *
     * @return this server
     * @throws IllegalStateException when the server was started before, or the address cannot be bound
     */
    public synchronized FanwireServer start() {
        if (state != State.NEW) {
            throw new IllegalStateException("server already " + state.name().toLowerCase(java.util.Locale.ROOT));
        }
        // First: a certificate that cannot be used stops the start before any thread or port exists.
        ServerTls tls = config.tlsEnabled() ? ServerTls.create(config.tls()) : null;
        transport = Transport.select(config.transport());
        if (config.cluster().reusePort() && !transport.supportsReusePort()) {
            throw new IllegalStateException("reusePort: true needs the epoll or io_uring transport, not "
                    + transport.kind().name().toLowerCase(java.util.Locale.ROOT));
        }
        bossGroup = transport.newGroup(1, "fanwire-accept");
        workerGroup = transport.newGroup(config.ioThreads(), "fanwire-io");
        ServerConfig.LimitsConfig limits = config.limits();
        heartbeat = new Heartbeat(workerGroup, config.pingInterval(), config.idleTimeout(), new Heartbeat.Lifetime(
                limits.maxLifetime(), limits.lifetimeJitter(), config.shutdown().retryAfter(),
                config.shutdown().retryJitter(), stats.lifetimeCloses));

        Features features = new Features(config.compressionThreshold() > 0, true, false, false);
        pubsub = new PubSub(config.pubsub(), broker, codec, config.jsonFrames(), stats, workerGroup);
        try {
            broker.start(pubsub);
        } catch (RuntimeException e) {
            shutdownGroups();
            state = State.STOPPED;
            throw e;
        }
        SessionServices sessions = new SessionServices(config, codec, registry, heartbeat, sink, stats, VERSION,
                features, pubsub, verifier, echoFrames, clock);
        bindMetrics();
        HttpServices http = new HttpServices(sessions, new Authenticator(config.auth(), verifier), mapper,
                () -> state == State.RUNNING, () -> state == State.RUNNING, new ApiRoutes(serverApi(), config, stats),
                MetricsExposition.of(meterRegistry, metricsExecutor), heapBudget, () -> state == State.DRAINING,
                new ConnectionLimits(limits, System::nanoTime));

        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, config.backlog())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, config.tcpNoDelay())
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.writeBufferLowWaterBytes(), config.writeBufferHighWaterBytes()))
                .childHandler(new ServerChannelInitializer(http, tls));
        if (config.cluster().reusePort()) {
            transport.reusePort(bootstrap);
        }
        ChannelFuture bind = bootstrap.bind(config.host(), config.port()).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            closeMetrics();
            shutdownGroups();
            state = State.STOPPED;
            throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port() + ": "
                    + bind.cause().getMessage(), bind.cause());
        }
        serverChannel = bind.channel();
        // After the bind, ServerBootstrap's acceptor is in place: this goes behind it (see AcceptErrorHandler).
        serverChannel.pipeline().addLast(new AcceptErrorHandler(stats.acceptErrors));
        if (config.apiPort() != ServerConfig.NO_API_PORT) {
            // Same event loops, its own pipeline: the API's routes only, no WebSocket upgrade.
            ChannelFuture apiBind = bootstrap.clone().childHandler(ServerChannelInitializer.apiPort(http, tls))
                    .bind(config.apiHost(), config.apiPort()).awaitUninterruptibly();
            if (!apiBind.isSuccess()) {
                serverChannel.close().awaitUninterruptibly();
                closeMetrics();
                shutdownGroups();
                state = State.STOPPED;
                throw new IllegalStateException("cannot listen for the server API on " + config.apiHost() + ":"
                        + config.apiPort() + ": " + apiBind.cause().getMessage(), apiBind.cause());
            }
            apiChannel = apiBind.channel();
            apiChannel.pipeline().addLast(new AcceptErrorHandler(stats.acceptErrors));
        }
        if (keySource != null) {
            // Before the server is ready: the first fetch, bounded by its timeout.
            keySource.start();
        }
        heartbeat.start();
        lagProbe.start();
        startedAt = Instant.now();
        state = State.RUNNING;
        // One line with key=value fields (docs/CONFIGURATION.md, logging), readable and parseable alike.
        LOG.atInfo().setMessage("Fanwire listening")
                .addKeyValue("version", VERSION)
                .addKeyValue("address", serverChannel.localAddress())
                .addKeyValue("scheme", tls != null ? "wss" : "ws")
                .addKeyValue("tls_provider", tls != null ? tls.providerName() + " (" + tls.providerVersion() + ")" : "none")
                .addKeyValue("node", config.nodeId())
                .addKeyValue("transport", transport.kind())
                .addKeyValue("io_threads", workerGroup.executorCount())
                .addKeyValue("mode", drainQueue != null ? "drain" : "callback")
                .addKeyValue("paths", String.join(",", config.webSocketPaths()))
                .addKeyValue("api", config.apiKey() == null ? "off"
                        : apiChannel != null ? apiChannel.localAddress() : "main_port")
                .log();
        return this;
    }

    /** How the broker's link to the other nodes fares (a one-node broker: always connected, nothing lost). */
    public Broker.LinkStats brokerLink() {
        return broker.link();
    }

    /** The bound port (useful with port 0). */
    public int port() {
        requireStarted();
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** The port serving the server API ({@code /api/*}): its own port when one is configured, else {@link #port()}. */
    public int apiPort() {
        requireStarted();
        return ((InetSocketAddress) (apiChannel != null ? apiChannel : serverChannel).localAddress()).getPort();
    }

    /** The configuration the server runs with. */
    public ServerConfig config() {
        return config;
    }

    /** The server's counters. */
    public ServerStats stats() {
        return stats;
    }

    /**
     * The registry the server's meters are in: its own {@code PrometheusMeterRegistry}, or the one passed to
     * {@link Builder#meterRegistry(MeterRegistry)}.
     */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** Registers the meters; from here on handshakes are timed and every event loop is probed for lag. */
    private void bindMetrics() {
        metricsExecutor = Executors.newSingleThreadExecutor(new DefaultThreadFactory("fanwire-metrics", true));
        if (ownsRegistry) {
            // First: it configures the registry's filters, which must come before any meter.
            runtimeMetrics = new RuntimeMetrics();
            runtimeMetrics.bindTo(meterRegistry);
        }
        metrics = new FanwireMetrics(stats, new FanwireMetrics.Sources(
                pubsub::topicCount,
                () -> broker.stats().streams(),
                () -> broker.stats().historyPublications(),
                () -> broker.stats().historyBytes(),
                () -> broker.stats().evictedStreams(),
                this::pendingEvents,
                () -> drainQueue != null ? drainQueue.depthBytes() : ((CallbackDispatcher) sink).pendingBytes(),
                () -> drainQueue != null ? drainQueue.parkedConnections() : ((CallbackDispatcher) sink).parkedConnections(),
                heapBudget::usedRatio,
                pubsub::presenceMembers));
        metrics.bindTo(meterRegistry);
        brokerMetrics = new BrokerMetrics(broker::link);
        brokerMetrics.bindTo(meterRegistry);
        lagProbe = new EventLoopLagProbe(workerGroup, meterRegistry, EventLoopLagProbe.DEFAULT_INTERVAL);
        new NettyMemoryMetrics().bindTo(meterRegistry);
    }

    /** Stops what measures in the background, and unregisters from a registry that is not the server's own. */
    private void closeMetrics() {
        if (lagProbe != null) {
            lagProbe.close();
        }
        if (runtimeMetrics != null) {
            // Removes the GC binder's notification listeners from the JVM's collector beans.
            runtimeMetrics.close();
        }
        if (metricsExecutor != null) {
            metricsExecutor.shutdownNow();
        }
        if (metrics != null && !ownsRegistry) {
            metrics.close();
        }
        if (brokerMetrics != null && !ownsRegistry) {
            brokerMetrics.close();
        }
        if (ownsRegistry) {
            meterRegistry.close();
        }
    }

    /**
     * Drain mode: takes up to {@code maxEvents} inbound events, waiting up to {@code timeout} for the first.
     * Events of one connection come in order: {@code Connected}, its messages, {@code Disconnected}.
     *
     * @return the batch; empty when nothing arrived in time
     * @throws IllegalStateException in callback mode
     * @throws InterruptedException when interrupted while waiting
     */
    public List<InboundEvent> drain(int maxEvents, Duration timeout) throws InterruptedException {
        return drainQueue().drain(maxEvents, timeout);
    }

    /**
     * Drain mode: like {@link #drain(int, Duration)}, adding to {@code into} so a batch list can be reused.
     *
     * @return how many events were added
     * @throws InterruptedException when interrupted while waiting
     */
    public int drainTo(Collection<? super InboundEvent> into, int maxEvents, Duration timeout)
            throws InterruptedException {
        return drainQueue().drainTo(into, maxEvents, timeout);
    }

    /** Inbound events accepted and not yet taken by the application (drained, or handled in callback mode). */
    public int pendingEvents() {
        return drainQueue != null ? drainQueue.depth() : ((CallbackDispatcher) sink).pending();
    }

    /**
     * Sends {@code message} (an application message) to a connection. Thread-safe, non-blocking.
     *
     * @return whether the connection exists (delivery is not confirmed)
     */
    public boolean send(UUID connectionId, Envelope message) {
        requireUnstamped(message);
        return send(connectionId, new ApplicationMessage(message));
    }

    /**
     * Sends {@code message} to a connection. Thread-safe, non-blocking.
     *
     * @return whether the connection exists (delivery is not confirmed)
     */
    public boolean send(UUID connectionId, ServerMessage message) {
        Objects.requireNonNull(message, "message");
        Session session = registry.get(connectionId);
        if (session == null) {
            return false;
        }
        session.send(message);
        return true;
    }

    /**
     * Sends {@code message} to every connection of {@code userId}. Thread-safe, non-blocking.
     *
     * @return how many connections it was sent to
     */
    public int sendToUser(String userId, Envelope message) {
        requireUnstamped(message);
        ApplicationMessage app = new ApplicationMessage(message);
        Session[] sessions = registry.ofUser(userId);
        for (Session session : sessions) {
            session.send(app);
        }
        return sessions.length;
    }

    /**
     * Closes a connection with {@code code} and {@code reason}. Thread-safe, non-blocking.
     *
     * @return whether the connection exists
     * @throws IllegalArgumentException when {@code code} may not be sent in a close frame
     */
    public boolean disconnect(UUID connectionId, int code, String reason) {
        if (!sendableCloseCode(code)) {
            throw new IllegalArgumentException("code: " + code + " (expected: 1000-1003, 1007-1014 or 3000-4999)");
        }
        Session session = registry.get(connectionId);
        if (session == null) {
            return false;
        }
        session.close(code, reason == null ? "" : reason);
        return true;
    }

    /**
     * Closes every connection of {@code userId} with {@code code} and {@code reason}. Thread-safe, non-blocking.
     *
     * @return how many connections the user had
     * @throws IllegalArgumentException when {@code code} may not be sent in a close frame
     */
    public int disconnectUser(String userId, int code, String reason) {
        if (!sendableCloseCode(code)) {
            throw new IllegalArgumentException("code: " + code + " (expected: 1000-1003, 1007-1014 or 3000-4999)");
        }
        Session[] sessions = registry.ofUser(userId);
        for (Session session : sessions) {
            session.close(code, reason == null ? "" : reason);
        }
        return sessions.length;
    }

    /**
     * Publishes {@code message} to every subscriber of {@code topic}, stamped with the topic's next
     * {@code (epoch, offset)}. Thread-safe, non-blocking.
     *
     * @return the stamp, once the broker accepted the publication
     * @throws IllegalArgumentException when the topic name is invalid
     */
    public CompletionStage<StreamPosition> publish(String topic, Envelope message) {
        return pubsub().publish(topic, message);
    }

    /**
     * Subscribes a connection to {@code topics} from the server side (no ACL check); the client receives a
     * {@code subscription_update} as if it had asked. Thread-safe, non-blocking.
     *
     * @return whether the connection exists
     */
    public boolean subscribe(UUID connectionId, String... topics) {
        return onLoopOf(connectionId, session -> pubsub.subscribe(session, new Subscription(Action.SUBSCRIBE,
                List.of(topics), null, null, false, Map.of(), null), false));
    }

    /**
     * Unsubscribes a connection from {@code topics} (all when none are given); the client receives a
     * {@code subscription_update}. Thread-safe, non-blocking.
     *
     * @return whether the connection exists
     */
    public boolean unsubscribe(UUID connectionId, String... topics) {
        return onLoopOf(connectionId, session -> pubsub.unsubscribe(session, new Subscription(Action.UNSUBSCRIBE,
                List.of(topics), null, null, false, Map.of(), null)));
    }

    /** Who is present in {@code topic} on this node, by user id. */
    public Map<String, PresenceUser> presence(String topic) {
        return pubsub().presence(topic);
    }

    /**
     * Who is present in {@code topic} in the whole cluster, by user id: with the Redis broker, what every node
     * reported; with the in-memory broker, this node's (the same as {@link #presence}).
     */
    public CompletionStage<Map<String, PresenceUser>> clusterPresence(String topic) {
        return pubsub().clusterPresence(topic);
    }

    /** Publications of {@code topic} after {@code since} ({@code null}: none, just the position), at most {@code limit}. */
    public CompletionStage<HistoryPage> history(String topic, StreamPosition since, int limit) {
        return pubsub().history(topic, since, limit);
    }

    private boolean onLoopOf(UUID connectionId, java.util.function.Consumer<Session> action) {
        pubsub();
        Session session = registry.get(connectionId);
        if (session == null) {
            return false;
        }
        session.channel().eventLoop().execute(() -> {
            if (session.channel().isActive()) {
                action.accept(session);
            }
        });
        return true;
    }

    /** The server API's view of this server. */
    private ServerApi serverApi() {
        return new ServerApi() {
            @Override
            public CompletionStage<StreamPosition> publish(String topic, Envelope message) {
                return FanwireServer.this.publish(topic, message);
            }

            @Override
            public CompletionStage<HistoryPage> history(String topic, StreamPosition since, int limit) {
                return FanwireServer.this.history(topic, since, limit);
            }

            @Override
            public CompletionStage<Map<String, PresenceUser>> presence(String topic) {
                return FanwireServer.this.clusterPresence(topic);
            }

            @Override
            public boolean disconnect(UUID connectionId, int code, String reason) {
                return FanwireServer.this.disconnect(connectionId, code, reason);
            }

            @Override
            public int disconnectUser(String userId, int code, String reason) {
                return FanwireServer.this.disconnectUser(userId, code, reason);
            }

            @Override
            public Map<String, Object> info() {
                return FanwireServer.this.info();
            }

            @Override
            public int drain(Duration timeout) {
                int open = connectionCount();
                shutdownGracefully(timeout != null ? timeout : config.shutdown().timeout());
                return open;
            }
        };
    }

    /** A stamp on a direct message would corrupt the client's per-topic duplicate detection. */
    private static void requireUnstamped(Envelope message) {
        if (message.stamped()) {
            throw new IllegalArgumentException("message: stamped (tp/e/o belong to topic publications; use publish)");
        }
    }

    private PubSub pubsub() {
        if (pubsub == null) {
            throw new IllegalStateException("server not started");
        }
        return pubsub;
    }

    /** The connection with {@code connectionId}, if open. */
    public Optional<ConnectionInfo> connection(UUID connectionId) {
        Session session = registry.get(connectionId);
        return session == null ? Optional.empty() : Optional.of(session.info());
    }

    /** The open connections of {@code userId}. */
    public List<ConnectionInfo> connectionsOf(String userId) {
        Session[] sessions = registry.ofUser(userId);
        List<ConnectionInfo> out = new ArrayList<>(sessions.length);
        for (Session session : sessions) {
            out.add(session.info());
        }
        return out;
    }

    /** Open connections. */
    public int connectionCount() {
        return registry.size();
    }

    /** What {@code /api/info} answers: node, version, uptime, counters, and the registered contributors. */
    public Map<String, Object> info() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("node_id", config.nodeId());
        info.put("version", VERSION);
        info.put("transport", transport == null ? null : transport.kind().name().toLowerCase(java.util.Locale.ROOT));
        info.put("uptime_seconds", startedAt == null ? 0 : Duration.between(startedAt, Instant.now()).toSeconds());
        info.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
        info.put("users", registry.users());
        info.put("mode", drainQueue != null ? "drain" : "callback");
        info.put("pending_events", pendingEvents());
        if (drainQueue != null) {
            info.put("pending_event_bytes", drainQueue.depthBytes());
        }
        info.putAll(stats.snapshot());
        if (pubsub != null) {
            Broker.BrokerStats b = broker.stats();
            Map<String, Object> topicsInfo = new LinkedHashMap<>();
            topicsInfo.put("topics", pubsub.topicCount());
            topicsInfo.put("streams", b.streams());
            topicsInfo.put("history_publications", b.historyPublications());
            topicsInfo.put("history_bytes", b.historyBytes());
            topicsInfo.put("evicted_streams", b.evictedStreams());
            info.put("topics", topicsInfo);
            Broker.LinkStats link = broker.link();
            Map<String, Object> linkInfo = new LinkedHashMap<>();
            linkInfo.put("kind", broker instanceof RedisBroker ? "redis" : "memory");
            linkInfo.put("connected", link.connected());
            linkInfo.put("pending_publishes", link.pendingPublishes());
            linkInfo.put("local_only_publications", link.localOnlyPublications());
            linkInfo.put("missed_publications", link.missedPublications());
            linkInfo.put("stream_resets", link.streamResets());
            info.put("broker", linkInfo);
        }
        for (Map.Entry<String, Supplier<?>> e : infoContributors.entrySet()) {
            info.put(e.getKey(), e.getValue().get());
        }
        return info;
    }

    /**
     * Drains the server gracefully, with the configured {@code shutdown.timeout}. See
     * {@link #shutdownGracefully(Duration)}.
     */
    public CompletionStage<Void> shutdownGracefully() {
        return shutdownGracefully(config.shutdown().timeout());
    }

    /**
     * Drains the server gracefully, then stops it; returns at once. Readiness ({@code /health/ready}) and new
     * upgrades answer 503 with {@code Retry-After} from now on; open connections are closed with 4300 and a
     * {@code retry_after_ms} hint, at most {@code shutdown.close_rate} per second so that their clients do not all
     * reconnect at once; then the server waits for the application to take the inbound events still queued. At
     * {@code timeout} (or on {@link #close()}) whatever is still open is closed with 1001, and the events the
     * application has not taken are counted ({@code fanwire_shutdown_events_unprocessed_total}). In drain mode the
     * application keeps calling {@link #drain} until the returned stage completes.
     *
     * <p>A second call joins the drain under way; on a server that is not running it just closes.
     *
     * @return completes once the server has stopped (as {@link #stopped()})
     */
    public CompletionStage<Void> shutdownGracefully(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        synchronized (this) {
            if (state == State.RUNNING) {
                state = State.DRAINING;
                stats.draining.set(1);
                long deadline = System.nanoTime() + timeout.toNanos();
                drainThread = Thread.ofPlatform().name("fanwire-drain").daemon(true)
                        .unstarted(() -> runDrain(deadline));
                LOG.info("Draining {} connection(s), {} per second, for at most {}", registry.size(),
                        config.shutdown().closesPerSecond(), timeout);
                drainThread.start();
            } else if (state == State.NEW) {
                close();
            }
        }
        return stopped.minimalCompletionStage();
    }

    /** Completes once the server has stopped, by {@link #close()} or at the end of a graceful drain. */
    public CompletionStage<Void> stopped() {
        return stopped.minimalCompletionStage();
    }

    /** Whether the server is draining ({@link #shutdownGracefully(Duration)}). */
    public boolean draining() {
        return state == State.DRAINING;
    }

    /** The graceful drain, on a thread of its own: paced 4300 closes, then the wait for the application. */
    private void runDrain(long deadline) {
        ServerConfig.ShutdownConfig shutdown = config.shutdown();
        double closesPerNano = shutdown.closesPerSecond() / 1e9;
        long start = System.nanoTime();
        long closed = 0;
        Set<UUID> asked = new HashSet<>();
        Iterator<Session> next = Collections.emptyIterator();
        try {
            while (state == State.DRAINING && System.nanoTime() - deadline < 0) {
                // The pace: closes may not run ahead of closesPerSecond since the start.
                while (closed <= (System.nanoTime() - start) * closesPerNano) {
                    if (!next.hasNext()) {
                        // Look again: an upgrade under way when the drain began registers late.
                        next = registry.all().stream().filter(x -> !asked.contains(x.info().id())).toList().iterator();
                        if (!next.hasNext()) {
                            break;
                        }
                    }
                    Session session = next.next();
                    if (!asked.add(session.info().id()) || !session.channel().isActive()) {
                        continue;
                    }
                    shutdownClose(session, CloseCodes.DRAINING, RetryHint.closeReason(RetryHint.DRAINING,
                            RetryHint.retryAfterMillis(shutdown.retryAfter(), shutdown.retryJitter())));
                    closed++;
                }
                // Done once the connections answered their close frames and the application took what they sent.
                if (registry.size() == 0 && pendingEvents() == 0) {
                    break;
                }
                LockSupport.parkNanos(DRAIN_TICK_NANOS);
            }
            String outcome = state != State.DRAINING ? "cut short" : System.nanoTime() - deadline < 0 ? "done" : "timed out";
            LOG.info("Drain {}: {} connection(s) closed with 4300, {} still open, {} event(s) waiting", outcome, closed,
                    registry.size(), pendingEvents());
        } catch (RuntimeException e) {
            LOG.warn("Drain failed; closing", e);
        } finally {
            close();
        }
    }

    /**
     * Stops the server: no new connections, every open connection closed with 1001 "server stopping", event
     * loops shut down. Blocks until done. Idempotent. During a graceful drain, it ends the drain at once.
     */
    @Override
    public synchronized void close() {
        if (keySource != null) {
            keySource.close();
        }
        if (state != State.RUNNING && state != State.DRAINING) {
            if (state == State.NEW && ownsRegistry) {
                meterRegistry.close();
            }
            state = State.STOPPED;
            stats.draining.set(0);
            stopped.complete(null);
            return;
        }
        state = State.STOPPING;
        serverChannel.close().awaitUninterruptibly();
        if (apiChannel != null) {
            apiChannel.close().awaitUninterruptibly();
        }
        for (Session session : registry.all()) {
            shutdownClose(session, CloseCodes.GOING_AWAY, "server stopping");
        }
        long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
        while (registry.size() > 0 && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        heartbeat.stop();
        int unprocessed = pendingEvents();
        if (unprocessed > 0) {
            stats.shutdownUnprocessedEvents.add(unprocessed);
            if (drainThread != null) {
                LOG.warn("Stopping with {} inbound event(s) the application has not taken", unprocessed);
            } else {
                // A plain close() does not wait for the application; saying so is enough.
                LOG.info("Stopping with {} inbound event(s) the application has not taken", unprocessed);
            }
        }
        stats.draining.set(0);
        closeMetrics();
        shutdownGroups();
        broker.close();
        state = State.STOPPED;
        LOG.atInfo().setMessage("Fanwire stopped").addKeyValue("node", config.nodeId()).log();
        stopped.complete(null);
    }

    /**
     * Closes {@code session} for a shutdown, counted by code, unless it is closing already (a drain's 4300 on its
     * way, or the client's own close): on its event loop, where that is known.
     */
    private void shutdownClose(Session session, int code, String reason) {
        session.channel().eventLoop().execute(() -> {
            if (!session.closing() && session.channel().isActive()) {
                stats.shutdownCloses.increment(CloseCodes.name(code));
                session.close(code, reason);
            }
        });
    }

    private void shutdownGroups() {
        long quiet = config.shutdownQuietPeriod().toMillis();
        long timeout = Math.max(quiet * 10, 2000);
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(quiet, timeout, TimeUnit.MILLISECONDS).awaitUninterruptibly(timeout);
        }
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(quiet, timeout, TimeUnit.MILLISECONDS).awaitUninterruptibly(timeout);
        }
    }

    private DrainQueue drainQueue() {
        if (drainQueue == null) {
            throw new IllegalStateException("drain() is for drain mode; this server runs in callback mode");
        }
        return drainQueue;
    }

    private void requireStarted() {
        if (serverChannel == null) {
            throw new IllegalStateException("server not started");
        }
    }

    private static boolean sendableCloseCode(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    /** Builds a {@link FanwireServer}. */
    public static final class Builder {
        private ServerConfig config;
        private EventHandler handler;
        private Executor executor;
        private Clock clock = Clock.systemUTC();
        private Broker broker;
        private MeterRegistry meterRegistry;
        private final Map<String, Supplier<?>> infoContributors = new LinkedHashMap<>();
        private boolean echoFrames;

        private Builder() {
        }

        /** The configuration (required). */
        public Builder config(ServerConfig config) {
            this.config = config;
            return this;
        }

        /**
         * Callback mode: inbound events go to {@code handler}, called on {@code executor} (in order per
         * connection). Pass {@code Runnable::run} to run it on the event loop — then it must never block.
         */
        public Builder handler(EventHandler handler, Executor executor) {
            this.handler = Objects.requireNonNull(handler, "handler");
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** The clock tokens are checked against (tests). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The broker that stamps and carries publications (default: in memory, this node only). */
        public Builder broker(Broker broker) {
            this.broker = Objects.requireNonNull(broker, "broker");
            return this;
        }

        /**
         * The registry for the server's {@code fanwire_*} meters, instead of a {@code PrometheusMeterRegistry} of
         * its own. The server then binds no JVM meters (that is the application's business), removes its meters
         * when it closes, and serves {@code GET /metrics} only when {@code registry} is a
         * {@code PrometheusMeterRegistry} (404 otherwise). The registry stays open.
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Adds {@code name: value.get()} to {@code /api/info} and {@link FanwireServer#info()}. */
        public Builder info(String name, Supplier<?> value) {
            infoContributors.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Conformance runs only (the Autobahn|Testsuite testee): every text and binary message goes back to its
         * sender as it came, instead of the Fanwire protocol; the rest of the pipeline is the real one.
         * Package-private, so that no application can switch it on; it also requires authentication off.
         */
        Builder echoFrames() {
            this.echoFrames = true;
            return this;
        }

        /**
         * @throws IllegalArgumentException when the JWT key is weak or does not fit its algorithm
         */
        public FanwireServer build() {
            if (echoFrames && config != null && config.auth().required()) {
                throw new IllegalArgumentException("echoFrames: true (expected: authentication disabled, for "
                        + "conformance runs only)");
            }
            return new FanwireServer(this);
        }
    }
}
