package io.fanwire.server.http;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.fanwire.common.protocol.ErrorCode;
import io.fanwire.server.ServerConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP routes before any upgrade: {@code /health/live}, {@code /health/ready} and, on the listener that
 * serves it, the server API under {@code /api/} ({@link ApiRoutes}); anything else is 404. The last handler
 * of a connection that has not upgraded; one per connection.
 *
 * <p>API answers that wait for the broker are written from the connection's event loop when they complete,
 * and responses keep the order of their requests: while an answer is outstanding, later (pipelined) requests
 * wait here and the connection stops reading.
 */
public final class HttpRouteHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(HttpRouteHandler.class);

    private final HttpServices services;
    private final boolean serveApi;
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>(2);
    /** An API answer is outstanding; requests wait in {@link #waiting} until it is written. */
    private boolean answering;
    /** Reading was paused while answering. */
    private boolean paused;
    /** A response that closes the connection was sent: later requests are dropped. */
    private boolean closing;

    /** The routes of the main port: health, and the server API unless it has a port of its own. */
    public HttpRouteHandler(HttpServices services) {
        this(services, services.sessions().config().apiPort() == ServerConfig.NO_API_PORT);
    }

    /** Health routes, and the server API when {@code serveApi} (otherwise 404 for {@code /api/*}). */
    public HttpRouteHandler(HttpServices services, boolean serveApi) {
        this.services = services;
        this.serveApi = serveApi;
    }

    /** What the response to a request needs to know of it after the request was released. */
    private record Exchange(boolean keepAlive, boolean head, String route) {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (closing) {
            request.release();
        } else if (answering) {
            waiting.add(request);
            if (ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(false);
                paused = true;
            }
        } else {
            handle(ctx, request);
        }
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        Exchange exchange;
        CompletableFuture<ApiAnswer> answer;
        try {
            exchange = new Exchange(HttpUtil.isKeepAlive(request), HttpMethod.HEAD.equals(request.method()), null);
            if (request.decoderResult().isFailure()) {
                send(ctx, exchange, HttpResponses.malformed(ctx, services.mapper(), request.decoderResult().cause()),
                        false);
                return;
            }
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            String path;
            try {
                path = uri.path();
            } catch (IllegalArgumentException e) {
                send(ctx, exchange, error(ctx, HttpResponseStatus.BAD_REQUEST, "INVALID_REQUEST", "malformed path"),
                        true);
                return;
            }
            if (!ApiRoutes.isApiPath(path)) {
                route(ctx, request, exchange, path);
                return;
            }
            exchange = new Exchange(exchange.keepAlive(), exchange.head(), ApiRoutes.route(path));
            answer = serveApi ? api(ctx, request, uri, exchange.route())
                    : CompletableFuture.completedFuture(ApiAnswer.error(exchange.route(), HttpResponseStatus.NOT_FOUND,
                            "NOT_FOUND", "no route " + path));
        } finally {
            request.release();
        }
        if (answer.isDone()) {
            respond(ctx, exchange, answer);
            return;
        }
        answering = true;
        Exchange answered = exchange;
        answer.whenCompleteAsync((ignoredAnswer, ignoredError) -> {
            answering = false;
            if (ctx.isRemoved()) {
                // Closed (or upgraded) meanwhile: nobody to answer, and nothing rendered yet.
                return;
            }
            respond(ctx, answered, answer);
            resume(ctx);
        }, ctx.executor());
    }

    private CompletableFuture<ApiAnswer> api(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri,
                                             String route) {
        try {
            return services.api().answer(request, uri).toCompletableFuture();
        } catch (RuntimeException e) {
            // ApiRoutes refuses bad input with an answer; this is a failure of the server (an info contributor, say).
            LOG.warn("Server API request {} on {} failed", route, ctx.channel(), e);
            return CompletableFuture.completedFuture(ApiAnswer.error(route, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    ErrorCode.SERVER_ERROR.name(), "internal error"));
        }
    }

    /** Answers the requests that waited, in order, until one has to wait again. */
    private void resume(ChannelHandlerContext ctx) {
        for (FullHttpRequest next; !answering && (next = waiting.poll()) != null; ) {
            if (closing) {
                next.release();
            } else {
                handle(ctx, next);
            }
        }
        if (!answering && paused) {
            paused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void route(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange, String path) {
        switch (path) {
            case "/health/live" -> {
                if (requireGet(ctx, request, exchange)) {
                    send(ctx, exchange, json(ctx, HttpResponseStatus.OK, Map.of("status", "live")), true);
                }
            }
            case "/health/ready" -> {
                if (requireGet(ctx, request, exchange)) {
                    boolean ready = services.ready().getAsBoolean();
                    send(ctx, exchange, json(ctx, ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                            Map.of("status", ready ? "ready" : "not_ready")), true);
                }
            }
            default -> send(ctx, exchange, error(ctx, HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no route " + path),
                    true);
        }
    }

    private boolean requireGet(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        if (HttpMethod.GET.equals(request.method()) || HttpMethod.HEAD.equals(request.method())) {
            return true;
        }
        FullHttpResponse response = error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
                "use GET");
        response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        send(ctx, exchange, response, true);
        return false;
    }

    /** Renders and sends a completed API answer, counted by route and status. */
    private void respond(ChannelHandlerContext ctx, Exchange exchange, CompletableFuture<ApiAnswer> future) {
        ApiAnswer answer;
        try {
            answer = future.join();
        } catch (CompletionException e) {
            // ApiRoutes answers every failure itself; this is a bug, not a client's doing.
            LOG.warn("Server API request on {} failed", ctx.channel(), e.getCause());
            answer = ApiAnswer.error(exchange.route(), HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    ErrorCode.SERVER_ERROR.name(), "internal error");
        }
        services.sessions().stats().apiRequests.increment(answer.route() + "_" + answer.status().code());
        FullHttpResponse response = json(ctx, answer.status(), answer.body());
        answer.headers().forEach(response.headers()::set);
        send(ctx, exchange, response, true);
    }

    private FullHttpResponse json(ChannelHandlerContext ctx, HttpResponseStatus status, Object body) {
        return HttpResponses.json(ctx, services.mapper(), status, body);
    }

    private FullHttpResponse error(ChannelHandlerContext ctx, HttpResponseStatus status, String code, String message) {
        return HttpResponses.error(ctx, services.mapper(), status, code, message);
    }

    private void send(ChannelHandlerContext ctx, Exchange exchange, FullHttpResponse response, boolean keepAlive) {
        if (exchange.head()) {
            response.content().clear();
        }
        boolean keep = keepAlive && exchange.keepAlive();
        if (!keep) {
            closing = true;
        }
        HttpResponses.send(ctx, response, keep);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // On close, and on upgrade when the handshake handler removes the HTTP routes.
        for (FullHttpRequest request; (request = waiting.poll()) != null; ) {
            request.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.io.IOException) {
            LOG.debug("HTTP connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            LOG.warn("HTTP connection {} failed", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
