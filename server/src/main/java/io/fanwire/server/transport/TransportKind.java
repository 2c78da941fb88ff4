package io.fanwire.server.transport;

/** The I/O transport under the event loops. {@link #AUTO} picks the best one that loads. */
public enum TransportKind {
    /** epoll, then io_uring, then kqueue, then NIO: the first that is available. */
    AUTO,
    /** Linux epoll (native). */
    EPOLL,
    /** Linux io_uring (native). */
    IO_URING,
    /** BSD and macOS kqueue (native). */
    KQUEUE,
    /** Java NIO: everywhere, slowest. */
    NIO
}
