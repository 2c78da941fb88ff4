package io.fanwire.server.http;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The request deadline (slowloris): a connection must deliver a complete HTTP request within the deadline of
 * opening, or it is answered 408 and closed; unlike an idle timeout, trickling bytes does not extend it. After a
 * response, the next request has the same time; a kept-alive connection that sends none is closed without an
 * answer, as idle keep-alive connections are, because a 408 could cross a request the client sends just then. Sits right after the HTTP codec, so it sees whole requests end
 * ({@link LastHttpContent}) and responses go out; no deadline runs while a request is being answered. The handshake
 * handler removes it on upgrade, after which the heartbeat's idle timeout watches the connection. One per connection.
 */
public final class RequestTimeoutHandler extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RequestTimeoutHandler.class);

    private final HttpServices services;
    private final long timeoutNanos;
    private ScheduledFuture<?> deadline;
    /** Requests read completely and not yet answered completely. */
    private int unanswered;
    /** Whether a response was sent: the connection is then an idle keep-alive one between requests. */
    private boolean answered;

    public RequestTimeoutHandler(HttpServices services) {
        this.services = services;
        this.timeoutNanos = services.sessions().config().limits().requestTimeout().toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof LastHttpContent) {
            unanswered++;
            cancel();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent && unanswered > 0 && --unanswered == 0) {
            answered = true;
            // The next request has as long as the first one had.
            arm(ctx);
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void arm(ChannelHandlerContext ctx) {
        if (deadline == null && unanswered == 0) {
            deadline = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        deadline = null;
        if (!ctx.channel().isActive() || ctx.isRemoved()) {
            return;
        }
        if (answered) {
            LOG.debug("Closing idle keep-alive connection {}", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        services.sessions().stats().handshakesRejected.increment("408_request_timeout");
        if (LOG.isDebugEnabled()) {
            LOG.debug("No complete HTTP request from {} within the deadline; closing", ctx.channel().remoteAddress());
        }
        FullHttpResponse response = HttpResponses.error(ctx, services.mapper(), HttpResponseStatus.REQUEST_TIMEOUT,
                "REQUEST_TIMEOUT", "no complete HTTP request within the deadline");
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
