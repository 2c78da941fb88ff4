package io.fanwire.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

/**
 * A plain WebSocket echo server on 127.0.0.1 that, after {@code stallAfter} messages, holds every answer
 * for {@code stallMillis} and then sends them all: a server that stops answering for a while.
 */
final class StallingEchoServer implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicInteger seen = new AtomicInteger();

    StallingEchoServer(int stallAfter, long stallMillis) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler("/ws"), new Echo(stallAfter, stallMillis));
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    String url() {
        return "ws://127.0.0.1:" + ((java.net.InetSocketAddress) server.localAddress()).getPort() + "/ws";
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2000);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3000);
    }

    private final class Echo extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        private final int stallAfter;
        private final long stallMillis;
        private final List<TextWebSocketFrame> held = new ArrayList<>();
        private boolean stalling;

        Echo(int stallAfter, long stallMillis) {
            this.stallAfter = stallAfter;
            this.stallMillis = stallMillis;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            TextWebSocketFrame answer = new TextWebSocketFrame(frame.content().retain());
            if (seen.incrementAndGet() == stallAfter) {
                stalling = true;
                ctx.executor().schedule(() -> {
                    stalling = false;
                    held.forEach(ctx::write);
                    held.clear();
                    ctx.flush();
                }, stallMillis, TimeUnit.MILLISECONDS);
            }
            if (stalling) {
                held.add(answer);
            } else {
                ctx.writeAndFlush(answer);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            held.forEach(TextWebSocketFrame::release);
            held.clear();
            ctx.fireChannelInactive();
        }
    }
}
