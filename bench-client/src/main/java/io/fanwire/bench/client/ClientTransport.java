package io.fanwire.bench.client;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The client side's transport: epoll when its native library loads, NIO otherwise, with one event loop per core
 * unless told otherwise. Shared by the WebSocket and the HTTP load clients so that both run the same way.
 *
 * @param epoll whether the native epoll transport is used
 */
record ClientTransport(boolean epoll) {

    /** epoll when it is available here, else NIO. */
    static ClientTransport detect() {
        return new ClientTransport(Epoll.isAvailable());
    }

    /** A group of {@code threads} event loops (0: one per core), daemon threads named {@code name-N}. */
    EventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory(name, true), io);
    }

    /** The socket channel class that goes with the group. */
    Class<? extends SocketChannel> channelClass() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
