package io.fanwire.bench.client;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.fanwire.bench.stats.LatencyRecorder;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;

/**
 * HTTP/1.1 load over keep-alive connections, autocannon-style (each connection sends its next request when
 * the previous answer arrived) or paced (each connection follows a constant-rate schedule and latency is
 * measured from the intended send time, wrk2-style, so a stalled server shows up as latency, not as fewer
 * requests). One event loop per core; no thread per connection. Thread-safe; one {@link #run} at a time.
 */
public final class HttpLoadClient implements AutoCloseable {

    /** Largest response kept in memory (a big {@code /metrics} exposition fits). */
    private static final int MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final InetSocketAddress remote;
    private final String hostHeader;

    /**
     * @param base      {@code http://host:port} of the server
     * @param ioThreads event loops (0: one per core)
     */
    public HttpLoadClient(URI base, int ioThreads) {
        ClientTransport transport = ClientTransport.detect();
        this.group = transport.newGroup(ioThreads, "bench-http");
        int port = base.getPort() > 0 ? base.getPort() : 80;
        this.remote = new InetSocketAddress(base.getHost(), port);
        this.hostHeader = base.getHost() + ":" + port;
        this.bootstrap = new Bootstrap().group(group)
                .channel(transport.channelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    }

    /**
     * One kind of request.
     *
     * @param method  GET or POST
     * @param path    path and query
     * @param headers extra headers (the API key, for example)
     * @param body    request body, empty for none
     */
    public record Request(HttpMethod method, String path, Map<String, String> headers, byte[] body) {
        public Request {
            headers = Map.copyOf(headers);
            body = body.clone();
        }
    }

    /**
     * The live counters of a run, readable while it runs (for progress lines and timelines).
     *
     * @param sent          requests written
     * @param completed     answers received
     * @param non2xx        answers outside 200–299
     * @param connectErrors connections that failed or closed early
     * @param late          paced requests that went out late
     */
    public record Tally(LongAdder sent, LongAdder completed, LongAdder non2xx, LongAdder connectErrors,
                        LongAdder late) {

        /** All zero. */
        public static Tally create() {
            return new Tally(new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder());
        }

        /** Non-2xx answers and failed connections so far. */
        public long errors() {
            return non2xx.sum() + connectErrors.sum();
        }
    }

    /**
     * What a run counted.
     *
     * @param sent          requests written
     * @param completed     answers received (any status)
     * @param non2xx        answers with a status outside 200–299
     * @param connectErrors connections that failed or closed before the run ended
     * @param late          paced requests that went out later than the late threshold after their intended time
     * @param seconds       the measured duration
     */
    public record Outcome(long sent, long completed, long non2xx, long connectErrors, long late, double seconds) {
    }

    /**
     * Loads the server with {@code request} over {@code connections} keep-alive connections for {@code duration}
     * and waits for the answers in flight (at most {@code drainTimeout} more).
     *
     * @param ratePerConnection requests per second per connection; 0 for closed loop (send on answer)
     * @param lateThreshold     a paced request later than this after its intended time counts as late
     * @param corrected         latency from the intended send time (closed loop: from the actual one)
     * @param uncorrected       latency from the actual send time
     * @param tally             counts as the run goes (fresh for each run)
     */
    public Outcome run(Request request, int connections, Duration duration, double ratePerConnection,
                       Duration lateThreshold, Duration drainTimeout, LatencyRecorder corrected,
                       LatencyRecorder uncorrected, Tally tally) throws InterruptedException {
        if (connections <= 0) {
            throw new IllegalArgumentException("connections: " + connections + " (expected: > 0)");
        }
        if (ratePerConnection < 0) {
            throw new IllegalArgumentException("ratePerConnection: " + ratePerConnection + " (expected: >= 0)");
        }
        Shared shared = new Shared(request, connections, ratePerConnection, lateThreshold.toNanos(), corrected,
                uncorrected, tally);
        long start = System.nanoTime();
        shared.startNanos = start;
        shared.endNanos = start + duration.toNanos();
        List<Lane> lanes = new ArrayList<>(connections);
        for (int i = 0; i < connections; i++) {
            Lane lane = new Lane(shared, i);
            lanes.add(lane);
            lane.connect();
        }
        boolean done = shared.finished.await(duration.toNanos() + drainTimeout.toNanos(), TimeUnit.NANOSECONDS);
        double seconds = (Math.min(System.nanoTime(), shared.endNanos) - start) / 1e9;
        shared.stopped = true;
        for (Lane lane : lanes) {
            lane.stop();
        }
        if (!done) {
            shared.connectErrors.add(shared.finished.getCount());
        }
        return new Outcome(shared.sent.sum(), shared.completed.sum(), shared.non2xx.sum(), shared.connectErrors.sum(),
                shared.late.sum(), seconds);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** What all lanes of one run share. */
    private static final class Shared {
        final Request request;
        final ByteBuf body;
        final long periodNanos;
        final long lateNanos;
        final LatencyRecorder corrected;
        final LatencyRecorder uncorrected;
        final CountDownLatch finished;
        final LongAdder sent;
        final LongAdder completed;
        final LongAdder non2xx;
        final LongAdder connectErrors;
        final LongAdder late;
        volatile boolean stopped;
        volatile long startNanos;
        volatile long endNanos;

        Shared(Request request, int connections, double rate, long lateNanos, LatencyRecorder corrected,
               LatencyRecorder uncorrected, Tally tally) {
            this.sent = tally.sent();
            this.completed = tally.completed();
            this.non2xx = tally.non2xx();
            this.connectErrors = tally.connectErrors();
            this.late = tally.late();
            this.request = request;
            this.body = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(request.body()).asReadOnly());
            this.periodNanos = rate > 0 ? Math.max(1, (long) (1e9 / rate)) : 0;
            this.lateNanos = lateNanos;
            this.corrected = corrected;
            this.uncorrected = uncorrected;
            this.finished = new CountDownLatch(connections);
        }
    }

    /**
     * One connection's schedule. All state is touched on the channel's event loop only, except {@link #stop}.
     * A connection that fails before the end is counted and opened again, so the load keeps its shape.
     */
    private final class Lane {
        private final Shared shared;
        private long nextIntended;
        private long intended;
        private long sentAt;
        private boolean inFlight;
        private boolean done;
        private volatile Channel channel;

        Lane(Shared shared, int index) {
            this.shared = shared;
            // Spread the lanes' first sends over one period so paced lanes do not fire in lockstep.
            long offset = shared.periodNanos == 0 ? 0
                    : (long) (shared.periodNanos * ((double) index / Math.max(1, shared.finished.getCount())));
            this.nextIntended = shared.startNanos + offset;
        }

        void connect() {
            bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_RESPONSE_BYTES),
                            new LaneHandler(Lane.this));
                }
            }).connect(remote).addListener(f -> {
                if (!f.isSuccess()) {
                    failed();
                }
            });
        }

        void active(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            sendNext(ctx);
        }

        private void sendNext(ChannelHandlerContext ctx) {
            long now = System.nanoTime();
            if (done) {
                return;
            }
            if (shared.periodNanos == 0) {
                if (now - shared.endNanos >= 0) {
                    finish(ctx);
                    return;
                }
                write(ctx, now, now);
                return;
            }
            long when = nextIntended;
            if (when - shared.endNanos >= 0) {
                finish(ctx);
                return;
            }
            nextIntended += shared.periodNanos;
            if (when - now > 0) {
                ctx.executor().schedule(() -> write(ctx, when, System.nanoTime()), when - now, TimeUnit.NANOSECONDS);
            } else {
                write(ctx, when, now);
            }
        }

        private void write(ChannelHandlerContext ctx, long intendedAt, long now) {
            if (done || !ctx.channel().isActive()) {
                return;
            }
            if (now - intendedAt > shared.lateNanos) {
                shared.late.increment();
            }
            intended = intendedAt;
            sentAt = now;
            inFlight = true;
            Request r = shared.request;
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, r.method(), r.path(),
                    shared.body.duplicate());
            req.headers().set(HttpHeaderNames.HOST, hostHeader)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, shared.body.readableBytes());
            if (shared.body.isReadable()) {
                req.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            }
            r.headers().forEach(req.headers()::set);
            shared.sent.increment();
            ctx.writeAndFlush(req, ctx.voidPromise());
        }

        void answered(ChannelHandlerContext ctx, FullHttpResponse response) {
            long now = System.nanoTime();
            if (!inFlight) {
                return;
            }
            inFlight = false;
            shared.completed.increment();
            int code = response.status().code();
            if (code < 200 || code > 299) {
                shared.non2xx.increment();
            }
            shared.corrected.recordNanos(now - intended);
            shared.uncorrected.recordNanos(now - sentAt);
            sendNext(ctx);
        }

        private void finish(ChannelHandlerContext ctx) {
            if (!done) {
                done = true;
                shared.finished.countDown();
                ctx.close();
            }
        }

        void inactive() {
            if (!done) {
                // Closed by the server or the network before the end: counted, then opened again.
                failed();
            }
        }

        private void failed() {
            if (done || shared.stopped) {
                return;
            }
            shared.connectErrors.increment();
            inFlight = false;
            if (System.nanoTime() - shared.endNanos < 0) {
                connect();
            } else {
                done = true;
                shared.finished.countDown();
            }
        }

        void stop() {
            Channel c = channel;
            if (c != null) {
                c.close();
            }
        }
    }

    /** The pipeline end of one connection of a {@link Lane} (a lane outlives its connections). */
    private static final class LaneHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final Lane lane;

        LaneHandler(Lane lane) {
            this.lane = lane;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            lane.active(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            lane.answered(ctx, response);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            lane.inactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset or a malformed answer: the connection is closed and the lane counts and reopens it.
            ctx.close();
        }
    }
}
