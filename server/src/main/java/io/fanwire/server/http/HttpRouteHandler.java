package io.fanwire.server.http;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.fanwire.common.jwt.JwtVerifier;
import io.fanwire.common.protocol.ErrorCode;
import io.fanwire.server.ServerConfig;
import io.fanwire.server.metrics.MetricsExposition;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP routes before any upgrade: {@code /health/live}, {@code /health/ready} and, on the listener that
 * serves it, the server API under {@code /api/} ({@link ApiRoutes}) and the Prometheus metrics on
 * {@code /metrics}; anything else is 404. The last handler of a connection that has not upgraded; one per
 * connection.
 *
 * <p>Answers that wait (API requests waiting for the broker, metrics rendered off the loop) are written from the
 * connection's event loop when they complete, and responses keep the order of their requests: while an answer is
 * outstanding, later (pipelined) requests wait here and the connection stops reading.
 */
public final class HttpRouteHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(HttpRouteHandler.class);
    /** The Prometheus endpoint, served where the API is. */
    static final String METRICS_PATH = "/metrics";

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
    private record Exchange(boolean keepAlive, boolean head) {
    }

    /** A response to be rendered on the connection's event loop, once what it answers is known. */
    @FunctionalInterface
    private interface Reply {
        FullHttpResponse render(ChannelHandlerContext ctx);
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
        CompletableFuture<Reply> reply;
        try {
            exchange = new Exchange(HttpUtil.isKeepAlive(request), HttpMethod.HEAD.equals(request.method()));
            if (request.decoderResult().isFailure()) {
                // The path may be unreadable (an overlong request line), so it is counted like a refused upgrade.
                FullHttpResponse malformed = HttpResponses.malformed(ctx, services.mapper(),
                        request.decoderResult().cause());
                services.sessions().stats().handshakesRejected.increment(malformed.status().code() + "_malformed");
                send(ctx, exchange, malformed, false);
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
            if (ApiRoutes.isApiPath(path)) {
                String route = ApiRoutes.route(path);
                CompletableFuture<ApiAnswer> answer = serveApi ? api(ctx, request, uri, route)
                        : CompletableFuture.completedFuture(ApiAnswer.error(route, HttpResponseStatus.NOT_FOUND,
                                "NOT_FOUND", "no route " + path));
                reply = answer.handle((done, failure) -> apiReply(ctx, route, done, failure));
            } else if (serveApi && METRICS_PATH.equals(path)) {
                reply = metrics(ctx, request);
            } else {
                route(ctx, request, exchange, path);
                return;
            }
        } finally {
            request.release();
        }
        if (reply.isDone()) {
            respond(ctx, exchange, reply);
            return;
        }
        answering = true;
        Exchange answered = exchange;
        reply.whenCompleteAsync((ignoredReply, ignoredError) -> {
            answering = false;
            if (ctx.isRemoved()) {
                // Closed (or upgraded) meanwhile: nobody to answer, and nothing rendered yet.
                return;
            }
            respond(ctx, answered, reply);
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

    /** The reply to an API request: its answer rendered as JSON, counted by route and status. */
    private Reply apiReply(ChannelHandlerContext ctx, String route, ApiAnswer answer, Throwable failure) {
        ApiAnswer answered = answer;
        if (failure != null) {
            // ApiRoutes answers every failure itself; this is a bug, not a client's doing.
            LOG.warn("Server API request on {} failed", ctx.channel(), failure);
            answered = ApiAnswer.error(route, HttpResponseStatus.INTERNAL_SERVER_ERROR, ErrorCode.SERVER_ERROR.name(),
                    "internal error");
        }
        ApiAnswer a = answered;
        return c -> {
            services.sessions().stats().apiRequests.increment(a.route() + "_" + a.status().code());
            FullHttpResponse response = json(c, a.status(), a.body());
            a.headers().forEach(response.headers()::set);
            return response;
        };
    }

    /**
     * {@code GET /metrics}: the Prometheus exposition, rendered off the event loop. 404 when metrics are off,
     * 405 for another method, 401 without the API key when {@code metrics.require_api_key} asks for it.
     */
    private CompletableFuture<Reply> metrics(ChannelHandlerContext ctx, FullHttpRequest request) {
        ServerConfig.MetricsConfig config = services.sessions().config().metrics();
        if (!config.enabled() || !services.metrics().available()) {
            return replied(c -> error(c, HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no route " + METRICS_PATH));
        }
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            return replied(c -> {
                FullHttpResponse response = error(c, HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
                        "use GET");
                response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
                return response;
            });
        }
        if (config.requireApiKey() && !services.api().authorized(request.headers())) {
            services.sessions().stats().authFailures.increment("api_key");
            return replied(c -> {
                FullHttpResponse response = error(c, HttpResponseStatus.UNAUTHORIZED, ErrorCode.AUTH_FAILED.name(),
                        "a valid API key is required (X-API-Key: <key> or Authorization: apikey <key>)");
                response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "apikey");
                return response;
            });
        }
        return services.metrics().scrape(request.headers().get(HttpHeaderNames.ACCEPT)).handle((scrape, failure) -> {
            if (failure != null) {
                LOG.warn("Rendering metrics for {} failed", ctx.channel(), failure);
                return c -> error(c, HttpResponseStatus.INTERNAL_SERVER_ERROR, ErrorCode.SERVER_ERROR.name(),
                        "internal error");
            }
            return c -> exposition(c, scrape);
        });
    }

    private static FullHttpResponse exposition(ChannelHandlerContext ctx, MetricsExposition.Scrape scrape) {
        byte[] body = scrape.body();
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                ctx.alloc().buffer(body.length).writeBytes(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, scrape.contentType())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    private static CompletableFuture<Reply> replied(Reply reply) {
        return CompletableFuture.completedFuture(reply);
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
                    send(ctx, exchange, readiness(ctx), true);
                }
            }
            default -> send(ctx, exchange, error(ctx, HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no route " + path),
                    true);
        }
    }

    /**
     * 200 once started and while running; 503 before, while draining or stopping, while no key can verify a token,
     * and while the heap is over budget.
     */
    private FullHttpResponse readiness(ChannelHandlerContext ctx) {
        if (services.draining().getAsBoolean()) {
            Map<String, String> body = new LinkedHashMap<>();
            body.put("status", "not_ready");
            body.put("reason", "draining");
            return json(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, body);
        }
        if (!services.ready().getAsBoolean()) {
            return json(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, Map.of("status", "not_ready"));
        }
        JwtVerifier verifier = services.sessions().verifier();
        if (verifier != null && !verifier.hasKeys()) {
            // Only a key set, and no fetch of it has succeeded yet: every token would be refused with 401.
            Map<String, String> body = new LinkedHashMap<>();
            body.put("status", "not_ready");
            body.put("reason", "no_keys");
            return json(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, body);
        }
        if (services.heapBudget().exceeded()) {
            Map<String, String> body = new LinkedHashMap<>();
            body.put("status", "not_ready");
            body.put("reason", "heap");
            return json(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, body);
        }
        return json(ctx, HttpResponseStatus.OK, Map.of("status", "ready"));
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

    /** Renders and sends a completed reply. */
    private void respond(ChannelHandlerContext ctx, Exchange exchange, CompletableFuture<Reply> future) {
        Reply reply;
        try {
            reply = future.join();
        } catch (CompletionException e) {
            // Every reply maps its own failure to an answer; this is a bug, not a client's doing.
            LOG.warn("HTTP request on {} failed", ctx.channel(), e.getCause());
            reply = c -> error(c, HttpResponseStatus.INTERNAL_SERVER_ERROR, ErrorCode.SERVER_ERROR.name(),
                    "internal error");
        }
        send(ctx, exchange, reply.render(ctx), true);
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
