package io.fanwire.bench.client;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.protocol.ClientMessage;
import io.fanwire.common.protocol.Categories;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.Features;
import io.fanwire.common.protocol.MessageTypes;
import io.fanwire.common.protocol.ProtocolException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The last handler of a bench connection: drives the upgrade, waits for {@code server_ready} (Fanwire) or
 * the {@code 101} (raw), then decodes frames and hands them to the connection's listener. Answers server
 * {@code ping}s with {@code PONG} and close frames with a close frame. Stateful: one per channel.
 */
final class BenchClientHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(BenchClientHandler.class);

    private final WebSocketClientHandshaker handshaker;
    private final BenchConnection connection;
    private final Promise<BenchConnection> ready;
    private final FrameCodec codec;
    private final boolean raw;
    private final boolean hello;
    private final int maxFrameBytes;
    private final long timeoutNanos;
    private ScheduledFuture<?> timeout;
    private int closeCode = -1;

    BenchClientHandler(WebSocketClientHandshaker handshaker, BenchConnection connection, Promise<BenchConnection> ready,
                       FrameCodec codec, boolean raw, boolean hello, int maxFrameBytes, long timeoutNanos) {
        this.handshaker = handshaker;
        this.connection = connection;
        this.ready = ready;
        this.codec = codec;
        this.raw = raw;
        this.hello = hello;
        this.maxFrameBytes = maxFrameBytes;
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> fail(ctx, new ConnectFailure("timeout", -1,
                "not ready within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms", null)),
                timeoutNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        handshaker.handshake(ctx.channel());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long now = System.nanoTime();
        try {
            if (msg instanceof FullHttpResponse response) {
                onUpgradeResponse(ctx, response, now);
            } else if (msg instanceof WebSocketFrame frame) {
                onFrame(ctx, frame, now);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onUpgradeResponse(ChannelHandlerContext ctx, FullHttpResponse response, long now) {
        if (handshaker.isHandshakeComplete()) {
            return;
        }
        try {
            handshaker.finishHandshake(ctx.channel(), response);
        } catch (WebSocketHandshakeException e) {
            int status = response.status().code();
            fail(ctx, new ConnectFailure(status == 101 ? "handshake" : "http_" + status, status,
                    "upgrade refused: " + response.status() + " " + response.content().toString(
                            java.nio.charset.StandardCharsets.UTF_8), null));
            return;
        }
        ctx.pipeline().addAfter("ws-decoder", "ws-aggregator", new WebSocketFrameAggregator(maxFrameBytes));
        if (raw) {
            becomeReady(now);
        }
    }

    private void onFrame(ChannelHandlerContext ctx, WebSocketFrame frame, long now) {
        if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
            Envelope envelope;
            try {
                envelope = codec.decode(frame.content(), frame instanceof TextWebSocketFrame);
            } catch (ProtocolException e) {
                if (!raw && LOG.isDebugEnabled()) {
                    LOG.debug("{}: undecodable frame: {}", ctx.channel(), e.getMessage());
                }
                if (ready.isDone()) {
                    connection.listener().onUndecodable(connection, now);
                }
                return;
            }
            onEnvelope(ctx, envelope, now);
        } else if (frame instanceof PingWebSocketFrame) {
            ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()), ctx.voidPromise());
        } else if (frame instanceof CloseWebSocketFrame close) {
            closeCode = close.statusCode();
            ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), ""))
                    .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        }
        // Pong frames: nothing to do.
    }

    private void onEnvelope(ChannelHandlerContext ctx, Envelope envelope, long now) {
        if (!raw && Categories.SYSTEM.equals(envelope.category())) {
            switch (envelope.type()) {
                case MessageTypes.SERVER_READY -> {
                    connection.connectionId = envelope.payload().path("details").path("connection_id").asText(null);
                    connection.userId = envelope.payload().path("details").path("user_id").asText(null);
                    if (hello) {
                        connection.protocolFramesSent++;
                        connection.send(new ClientMessage.ClientHello("fanwire-bench", Envelope.PROTOCOL_VERSION,
                                new Features(true, false, false, false), null).toEnvelope(), true);
                    }
                    becomeReady(now);
                    return;
                }
                case MessageTypes.PING -> {
                    connection.protocolFramesSent++;
                    connection.send(new ClientMessage.ClientPong(envelope.payload().path("server_time").asLong(-1),
                            System.currentTimeMillis()).toEnvelope(), true);
                    return;
                }
                case MessageTypes.SERVER_HELLO -> {
                    return;
                }
                default -> {
                    // PONG, errors, subscription answers…: the scenario's business
                }
            }
        }
        if (ready.isDone()) {
            connection.listener().onMessage(connection, envelope, now);
        } else if (raw) {
            becomeReady(now);
            connection.listener().onMessage(connection, envelope, now);
        }
    }

    private void becomeReady(long now) {
        connection.readyNanos = now;
        if (timeout != null) {
            timeout.cancel(false);
        }
        ready.trySuccess(connection);
    }

    private void fail(ChannelHandlerContext ctx, ConnectFailure failure) {
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (ready.tryFailure(failure)) {
            ctx.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && ready.isDone()) {
            connection.listener().onWritable(connection);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!ready.isDone()) {
            fail(ctx, new ConnectFailure("closed", -1, "closed before ready", null));
        } else if (ready.isSuccess()) {
            connection.listener().onClosed(connection, closeCode);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!ready.isDone()) {
            fail(ctx, new ConnectFailure(cause instanceof IOException ? "io" : "error", -1, String.valueOf(cause), cause));
            return;
        }
        if (cause instanceof IOException || cause instanceof ClosedChannelException) {
            LOG.debug("{}: {}", ctx.channel(), cause.toString());
        } else {
            LOG.warn("{}: unexpected error", ctx.channel(), cause);
        }
        ctx.close();
    }
}
