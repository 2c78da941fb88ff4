package io.fanwire.server.transport;

import java.util.concurrent.ThreadFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.kqueue.KQueue;
import io.netty.channel.kqueue.KQueueIoHandler;
import io.netty.channel.kqueue.KQueueServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * A resolved I/O transport: the event loop's I/O handler and the matching server channel class.
 *
 * @param kind the transport in use (never {@link TransportKind#AUTO})
 * @param ioHandlerFactory creates the per-loop I/O handler
 * @param serverChannelClass the server socket channel for this transport
 */
public record Transport(TransportKind kind, IoHandlerFactory ioHandlerFactory,
                        Class<? extends ServerSocketChannel> serverChannelClass) {

    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);

    /**
     * Resolves {@code wanted}: {@link TransportKind#AUTO} picks epoll, io_uring, kqueue, then NIO, the first
     * available; an explicit choice that is unavailable fails with the reason.
     *
     * @throws IllegalStateException when an explicitly requested native transport cannot load here
     */
    public static Transport select(TransportKind wanted) {
        return switch (wanted) {
            case AUTO -> {
                if (Epoll.isAvailable()) {
                    yield epoll();
                }
                if (IoUring.isAvailable()) {
                    yield ioUring();
                }
                if (KQueue.isAvailable()) {
                    yield kqueue();
                }
                if (LOG.isDebugEnabled()) {
                    LOG.debug("No native transport: epoll {}, io_uring {}, kqueue {}", Epoll.unavailabilityCause(),
                            IoUring.unavailabilityCause(), KQueue.unavailabilityCause());
                }
                yield nio();
            }
            case EPOLL -> {
                requireAvailable("epoll", Epoll.unavailabilityCause());
                yield epoll();
            }
            case IO_URING -> {
                requireAvailable("io_uring", IoUring.unavailabilityCause());
                yield ioUring();
            }
            case KQUEUE -> {
                requireAvailable("kqueue", KQueue.unavailabilityCause());
                yield kqueue();
            }
            case NIO -> nio();
        };
    }

    /** A new event loop group of {@code threads} loops (0: one per available processor) named {@code name}. */
    public MultiThreadIoEventLoopGroup newGroup(int threads, String name) {
        ThreadFactory factory = new DefaultThreadFactory(name, true);
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new MultiThreadIoEventLoopGroup(n, factory, ioHandlerFactory);
    }

    private static void requireAvailable(String name, Throwable cause) {
        if (cause != null) {
            throw new IllegalStateException("transport " + name + " is not available here: " + cause.getMessage(), cause);
        }
    }

    private static Transport epoll() {
        return new Transport(TransportKind.EPOLL, EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
    }

    private static Transport ioUring() {
        return new Transport(TransportKind.IO_URING, IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class);
    }

    private static Transport kqueue() {
        return new Transport(TransportKind.KQUEUE, KQueueIoHandler.newFactory(), KQueueServerSocketChannel.class);
    }

    private static Transport nio() {
        return new Transport(TransportKind.NIO, NioIoHandler.newFactory(), NioServerSocketChannel.class);
    }

    /** Whether this transport can bind with {@code SO_REUSEPORT} (epoll and io_uring). */
    public boolean supportsReusePort() {
        return kind == TransportKind.EPOLL || kind == TransportKind.IO_URING;
    }

    /**
     * Binds with {@code SO_REUSEPORT}, so that several processes share one port and the kernel spreads new
     * connections over them.
     *
     * @throws IllegalStateException on a transport without the option (NIO, kqueue)
     */
    public void reusePort(io.netty.bootstrap.ServerBootstrap bootstrap) {
        switch (kind) {
            case EPOLL -> bootstrap.option(io.netty.channel.epoll.EpollChannelOption.SO_REUSEPORT, true);
            case IO_URING -> bootstrap.option(io.netty.channel.uring.IoUringChannelOption.SO_REUSEPORT, true);
            default -> throw new IllegalStateException("reusePort: true needs the epoll or io_uring transport, not "
                    + kind.name().toLowerCase(java.util.Locale.ROOT));
        }
    }
}
