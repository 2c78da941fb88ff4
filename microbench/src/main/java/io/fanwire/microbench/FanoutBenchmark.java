package io.fanwire.microbench;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.protocol.ClientMessage.Action;
import io.fanwire.common.protocol.ClientMessage.Subscription;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.Features;
import io.fanwire.common.protocol.StreamPosition;
import io.fanwire.server.ServerConfig;
import io.fanwire.server.ServerConfig.AuthConfig;
import io.fanwire.server.ServerConfig.PubSubConfig;
import io.fanwire.server.auth.Authenticator;
import io.fanwire.server.broker.InMemoryBroker;
import io.fanwire.server.drain.DrainQueue;
import io.fanwire.server.http.HttpRouteHandler;
import io.fanwire.server.http.HttpServices;
import io.fanwire.server.http.WebSocketHandshakeHandler;
import io.fanwire.server.metrics.ServerStats;
import io.fanwire.server.pubsub.PubSub;
import io.fanwire.server.session.Heartbeat;
import io.fanwire.server.session.Session;
import io.fanwire.server.session.SessionRegistry;
import io.fanwire.server.session.SessionServices;
import io.fanwire.server.transport.PipelineNames;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Topic fan-out through the real engine: {@link PubSub#publish} → {@link InMemoryBroker} (stamp, JSON encode,
 * history) → {@link PubSub#onPublication} → one task per event loop writing a {@code retainedDuplicate()} of the
 * one encoded buffer to each subscriber's channel → the connection's real pipeline (WebSocket frame encoder).
 * Scored in publications per second; each publication is delivered to {@link #subscribers} connections.
 *
 * <p>The server side is wired as {@code FanwireServer.start()} wires it (same handlers, same pipeline, default
 * configuration, two I/O threads as on a 2-core machine), but on Netty's in-process transport: connections are
 * {@link LocalChannel} pairs on {@link LocalIoHandler} event loops instead of TCP sockets. Every subscriber is a
 * real WebSocket client (handshake and all) whose end sits on the same event loop as its server end, so a write
 * hands the frame straight to the client's frame decoder; the client counts the frames and releases them.
 * What a socket write would cost (the syscall, the kernel's copy) is not in the figure; the client's decoding
 * is.
 *
 * <p>The publisher keeps at most {@value #MAX_FRAMES_IN_FLIGHT} frames in flight (published, not yet counted
 * by a client), so the score is the sustained rate and memory stays flat. After every iteration it waits for
 * the last frames and checks that every subscriber got every publication, by the clients' count and the
 * server's own {@code deliveries} counter.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {EventLoopLikeExecutor.JMH_EXECUTOR, EventLoopLikeExecutor.JMH_EXECUTOR_CLASS})
public class FanoutBenchmark {

    /** The server's I/O threads: one per core of the 2-core machine the recorded results come from. */
    static final int IO_THREADS = 2;
    static final String TOPIC = "chat.lobby";
    /** Frames published but not yet received that the publisher allows before it waits. */
    static final int MAX_FRAMES_IN_FLIGHT = 4096;
    private static final long WAIT_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);

    @Param({"100", "1000"})
    public int subscribers;

    private MultiThreadIoEventLoopGroup acceptor;
    private MultiThreadIoEventLoopGroup loops;
    private InMemoryBroker broker;
    private ServerStats stats;
    private PubSub pubsub;
    private Channel server;
    private final List<Channel> clients = new ArrayList<>();
    private final FrameCounter received = new FrameCounter();
    private Envelope message;
    private int window;
    /** Frames the clients had received before the first publication (server_ready, subscription_update). */
    private long framesBefore;
    /** Publications so far; the publisher thread's own. */
    private long published;
    /** The server's delivery count before the first publication. */
    private long deliveriesBefore;

    @Setup(Level.Trial)
    public void start() throws Exception {
        ServerConfig config = ServerConfig.builder().auth(AuthConfig.disabled()).ioThreads(IO_THREADS).build();
        stats = new ServerStats();
        FrameCodec codec = new FrameCodec(config.decodeLimits());
        PubSubConfig ps = config.pubsub();
        broker = new InMemoryBroker(new InMemoryBroker.Config(ps.historySize(), ps.historyTtl(), ps.historyMemoryBytes()),
                codec.json());
        acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("fanwire-accept", true),
                LocalIoHandler.newFactory());
        loops = new MultiThreadIoEventLoopGroup(IO_THREADS, new DefaultThreadFactory("fanwire-io", true),
                LocalIoHandler.newFactory());
        pubsub = new PubSub(ps, broker, codec, config.jsonFrames(), stats, loops);
        broker.start(pubsub);
        SessionRegistry registry = new SessionRegistry();
        // Not started: the clients never answer pings, and the idle timeout must not close them mid-run.
        Heartbeat heartbeat = new Heartbeat(loops, config.pingInterval(), config.idleTimeout());
        SessionServices sessions = new SessionServices(config, codec, registry, heartbeat,
                new DrainQueue(config.drain(), stats), stats, "microbench",
                new Features(config.compressionThreshold() > 0, true, false, false), pubsub);
        HttpServices http = new HttpServices(sessions, new Authenticator(config.auth(), null), new ObjectMapper(),
                () -> true, () -> true, new io.fanwire.server.http.ApiRoutes(io.fanwire.server.http.ServerApi.infoOnly(Map::of), config, stats));

        LocalAddress address = new LocalAddress(FanoutBenchmark.class);
        server = new ServerBootstrap()
                .group(acceptor, loops)
                .channel(LocalServerChannel.class)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.writeBufferLowWaterBytes(), config.writeBufferHighWaterBytes()))
                .childHandler(new ServerInitializer(http, config))
                .bind(address).sync().channel();

        connectClients(address);
        awaitSessions(registry);

        Subscription subscribe = new Subscription(Action.SUBSCRIBE, List.of(TOPIC), null, null, false, Map.of(), null);
        for (Session session : registry.all()) {
            session.channel().eventLoop().execute(() -> pubsub.subscribe(session, subscribe, false));
        }
        // server_ready and subscription_update for each client.
        await(received::count, 2L * subscribers, "server_ready and subscription_update frames");
        if (stats.subscriptionsActive.get() != subscribers) {
            throw new IllegalStateException(stats.subscriptionsActive.get() + " subscriptions (expected: " + subscribers + ")");
        }
        framesBefore = received.count();
        deliveriesBefore = stats.deliveries.sum();
        message = SampleMessages.chatPublication();
        window = Math.max(1, MAX_FRAMES_IN_FLIGHT / subscribers);
    }

    /**
     * Connects one client at a time, the i-th on loop {@code i % IO_THREADS}. The server's loop group hands
     * accepted channels out round-robin in the same order, so both ends of each pair share a loop;
     * {@link #awaitSessions} checks that they do.
     */
    private void connectClients(LocalAddress address) throws InterruptedException {
        List<EventLoop> eventLoops = new ArrayList<>();
        loops.forEach(executor -> eventLoops.add((EventLoop) executor));
        WebSocketClientProtocolConfig handshake = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri("ws://localhost/ws")
                .withUTF8Validator(false)
                .handshakeTimeoutMillis(SETTLE_TIMEOUT.toMillis())
                .build();
        Bootstrap bootstrap = new Bootstrap()
                .channel(LocalChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                                new WebSocketClientProtocolHandler(handshake), received);
                    }
                });
        for (int i = 0; i < subscribers; i++) {
            clients.add(bootstrap.clone().group(eventLoops.get(i % eventLoops.size())).connect(address).sync().channel());
        }
    }

    private void awaitSessions(SessionRegistry registry) throws InterruptedException {
        await(registry::size, subscribers, "completed handshakes");
        Map<SocketAddress, Channel> clientsByAddress = new HashMap<>();
        for (Channel client : clients) {
            clientsByAddress.put(client.localAddress(), client);
        }
        int apart = 0;
        for (Session session : registry.all()) {
            Channel client = clientsByAddress.get(session.channel().remoteAddress());
            if (client == null || client.eventLoop() != session.channel().eventLoop()) {
                apart++;
            }
        }
        if (apart > 0) {
            throw new IllegalStateException(apart + " of " + subscribers + " connections have their ends on different "
                    + "event loops (expected: none)");
        }
    }

    @Benchmark
    public CompletionStage<StreamPosition> publish() {
        CompletionStage<StreamPosition> stamp = pubsub.publish(TOPIC, message);
        published++;
        long mustHave = (published - window) * subscribers;
        // Parking, not spinning: on two cores a spinning publisher would take a core from the event loops.
        while (received.count() - framesBefore < mustHave) {
            LockSupport.parkNanos(WAIT_PARK_NANOS);
        }
        return stamp;
    }

    /** Lets the last frames of the iteration arrive, then checks that nothing was lost or dropped. */
    @TearDown(Level.Iteration)
    public void settle() throws InterruptedException {
        long expected = published * subscribers;
        await(() -> received.count() - framesBefore, expected, "publication frames");
        long delivered = stats.deliveries.sum() - deliveriesBefore;
        long counted = received.count() - framesBefore;
        if (delivered != expected || counted != expected || stats.slowConsumerDrops.sum() != 0) {
            throw new IllegalStateException("after " + published + " publications to " + subscribers
                    + " subscribers: server delivered " + delivered + ", clients received " + counted
                    + ", slow-consumer drops " + stats.slowConsumerDrops.sum() + " (expected: " + expected + ", "
                    + expected + ", 0)");
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        for (Channel client : clients) {
            client.close().awaitUninterruptibly();
        }
        if (server != null) {
            server.close().awaitUninterruptibly();
        }
        if (acceptor != null) {
            acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        if (loops != null) {
            loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static void await(LongSupplier value, long expected, String what) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
        while (value.getAsLong() < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": " + value.getAsLong() + " after " + SETTLE_TIMEOUT
                        + " (expected: " + expected + ")");
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    /**
     * The pipeline of {@code transport.ServerChannelInitializer}, which is typed for socket channels and so
     * cannot initialise a {@link LocalChannel}: same handlers, same names, same limits.
     */
    private static final class ServerInitializer extends ChannelInitializer<Channel> {
        private final HttpServices http;
        private final HttpDecoderConfig decoderConfig;
        private final int maxHttpBodyBytes;

        ServerInitializer(HttpServices http, ServerConfig config) {
            this.http = http;
            this.decoderConfig = new HttpDecoderConfig()
                    .setMaxInitialLineLength(config.maxHttpInitialLineBytes())
                    .setMaxHeaderSize(config.maxHttpHeaderBytes());
            this.maxHttpBodyBytes = config.maxHttpBodyBytes();
        }

        @Override
        protected void initChannel(Channel ch) {
            ch.pipeline()
                    .addLast(PipelineNames.HTTP_CODEC, new HttpServerCodec(decoderConfig))
                    .addLast(PipelineNames.HTTP_AGGREGATOR, new HttpObjectAggregator(maxHttpBodyBytes, true))
                    .addLast(PipelineNames.HANDSHAKE, new WebSocketHandshakeHandler(http))
                    .addLast(PipelineNames.HTTP_ROUTES, new HttpRouteHandler(http));
        }
    }

    /** The clients' last handler: counts text frames (every frame the server sends here) and releases them. */
    @ChannelHandler.Sharable
    private static final class FrameCounter extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        private final LongAdder frames = new LongAdder();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            frames.increment();
        }

        long count() {
            return frames.sum();
        }
    }
}
