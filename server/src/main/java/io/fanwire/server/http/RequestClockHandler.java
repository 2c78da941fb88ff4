package io.fanwire.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Notes when the first bytes of an HTTP request arrive, before the HTTP codec, so that the handshake handler
 * can time an upgrade from its first byte to the 101 written. One per connection, removed on upgrade; it
 * costs one field write per read while the connection speaks HTTP.
 *
 * <p>Pipelined requests that arrive in one read share its time: the first takes it, the next ones find none
 * and are timed from when they were decoded.
 */
public final class RequestClockHandler extends ChannelInboundHandlerAdapter {

    /** No request bytes since the last {@link #take()}. */
    private static final long NONE = Long.MIN_VALUE;

    private long firstByteNanos = NONE;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (firstByteNanos == NONE) {
            firstByteNanos = System.nanoTime();
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * The {@link System#nanoTime()} at which the bytes of the request just decoded began to arrive, or
     * {@code orElse} when they came with an earlier request's; starts timing the next request.
     */
    long take(long orElse) {
        long start = firstByteNanos;
        firstByteNanos = NONE;
        return start == NONE ? orElse : start;
    }
}
