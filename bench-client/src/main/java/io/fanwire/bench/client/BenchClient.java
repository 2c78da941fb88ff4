package io.fanwire.bench.client;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.fanwire.common.codec.DecodeLimits;
import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.codec.WireFormat;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/**
 * The load client's connections: one event loop per core (epoll when it loads, else NIO), no thread per
 * connection. Each {@link #connect} opens one WebSocket with the configured token carrier and format and
 * completes once the connection is ready. Thread-safe.
 */
public final class BenchClient implements AutoCloseable {

    /** Subprotocol offered with the {@code bearer.} token carrier. */
    public static final String SUBPROTOCOL = "fanwire.v1";
    private static final int MAX_UPGRADE_RESPONSE_BYTES = 64 * 1024;

    private final ClientOptions options;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final FrameCodec codec;
    private final InetSocketAddress remote;
    private final boolean epoll;

    public BenchClient(ClientOptions options) {
        this.options = options;
        ClientTransport transport = ClientTransport.detect();
        this.epoll = transport.epoll();
        this.group = transport.newGroup(options.ioThreads(), "bench-io");
        this.codec = new FrameCodec(DecodeLimits.of(options.maxFrameBytes()));
        this.remote = new InetSocketAddress(options.url().getHost(), options.port());
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.channelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        options.connectTimeout().toMillis()))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024));
    }

    public ClientOptions options() {
        return options;
    }

    public EventLoopGroup group() {
        return group;
    }

    /** Whether the native epoll transport is in use. */
    public boolean nativeTransport() {
        return epoll;
    }

    /**
     * Opens connection {@code index}. The future completes with the connection once it is ready, or fails
     * with a {@link ConnectFailure}.
     */
    public Future<BenchConnection> connect(int index, ConnectionListener listener) {
        // Minting and the handshaker come first: the handshake is timed from the TCP connect.
        String token = options.carrier() == TokenCarrier.NONE ? null : options.tokens().tokenFor(index);
        WebSocketClientHandshaker handshaker = handshaker(token);
        long start = System.nanoTime();
        Promise<BenchConnection> ready = group.next().newPromise();
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                BenchConnection connection = new BenchConnection(index, ch, codec, options.format(),
                        options.compression(), start, listener);
                ch.pipeline().addLast(
                        new HttpClientCodec(),
                        new HttpObjectAggregator(MAX_UPGRADE_RESPONSE_BYTES),
                        new BenchClientHandler(handshaker, connection, ready, codec, options.raw(),
                                options.compression() && !options.raw(), options.maxFrameBytes(),
                                options.connectTimeout().toNanos()));
            }
        });
        ChannelFuture connect;
        if (options.sourceAddresses().isEmpty()) {
            connect = b.connect(remote);
        } else {
            InetAddress local = options.sourceAddresses().get(Math.floorMod(index, options.sourceAddresses().size()));
            connect = b.connect(remote, new InetSocketAddress(local, 0));
        }
        connect.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                Throwable cause = f.cause();
                String reason = cause instanceof java.net.ConnectException ? "refused"
                        : cause instanceof io.netty.channel.ConnectTimeoutException ? "timeout" : "io";
                ready.tryFailure(new ConnectFailure(reason, -1, String.valueOf(cause), cause));
            }
        });
        return ready;
    }

    private WebSocketClientHandshaker handshaker(String token) {
        URI uri = options.url();
        StringBuilder query = new StringBuilder(uri.getRawQuery() == null ? "" : uri.getRawQuery());
        if (options.format() == WireFormat.MSGPACK && !options.raw()) {
            append(query, "format=msgpack");
        }
        HttpHeaders headers = new DefaultHttpHeaders();
        String subprotocol = null;
        if (token != null) {
            switch (options.carrier()) {
                case HEADER -> headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
                case COOKIE -> headers.set(HttpHeaderNames.COOKIE, "access_token=" + token);
                case SUBPROTOCOL -> subprotocol = SUBPROTOCOL + ",bearer." + token;
                case QUERY -> append(query, "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
                case NONE -> {
                    // no token
                }
            }
        }
        URI target;
        try {
            target = new URI(uri.getScheme(), uri.getRawAuthority(), uri.getRawPath() == null || uri.getRawPath().isEmpty()
                    ? "/" : uri.getRawPath(), null, null);
            if (!query.isEmpty()) {
                target = URI.create(target + "?" + query);
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url: " + uri, e);
        }
        // No Origin header: a backend client, as the bench is; the cookie carrier then passes the server's
        // cross-site check the way a same-site browser would.
        return WebSocketClientHandshakerFactory.newHandshaker(target, WebSocketVersion.V13, subprotocol, false, headers,
                options.maxFrameBytes(), true, false, 10_000, false, false);
    }

    private static void append(StringBuilder query, String parameter) {
        if (!query.isEmpty()) {
            query.append('&');
        }
        query.append(parameter);
    }

    /** Closes every connection at once and stops the event loops, waiting at most {@code timeout}. */
    public void close(Duration timeout) {
        group.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS).awaitUninterruptibly(timeout.toMillis() + 1000);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
