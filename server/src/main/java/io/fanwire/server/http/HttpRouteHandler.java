package io.fanwire.server.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP routes before any upgrade: {@code /health/live}, {@code /health/ready} and the API-key protected
 * {@code /api/info}; anything else is 404. The last handler of a connection that has not upgraded.
 */
public final class HttpRouteHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(HttpRouteHandler.class);
    private static final String API_KEY_HEADER = "X-API-Key";
    private static final String API_KEY_SCHEME = "apikey ";

    private final HttpServices services;
    private final byte[] apiKey;

    public HttpRouteHandler(HttpServices services) {
        this.services = services;
        String key = services.sessions().config().apiKey();
        this.apiKey = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            respond(ctx, request, HttpResponses.malformed(ctx, services.mapper(), request.decoderResult().cause()), false);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        switch (path) {
            case "/health/live" -> {
                if (requireGet(ctx, request)) {
                    respond(ctx, request, json(ctx, HttpResponseStatus.OK, Map.of("status", "live")), true);
                }
            }
            case "/health/ready" -> {
                if (requireGet(ctx, request)) {
                    boolean ready = services.ready().getAsBoolean();
                    respond(ctx, request, json(ctx, ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                            Map.of("status", ready ? "ready" : "not_ready")), true);
                }
            }
            case "/api/info" -> {
                if (requireApiKey(ctx, request) && requireGet(ctx, request)) {
                    respond(ctx, request, json(ctx, HttpResponseStatus.OK, services.info().get()), true);
                }
            }
            default -> respond(ctx, request, error(ctx, HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no route " + path),
                    true);
        }
    }

    private boolean requireGet(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (HttpMethod.GET.equals(request.method()) || HttpMethod.HEAD.equals(request.method())) {
            return true;
        }
        FullHttpResponse response = error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
                "use GET");
        response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        respond(ctx, request, response, true);
        return false;
    }

    private boolean requireApiKey(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (apiKey == null) {
            respond(ctx, request, error(ctx, HttpResponseStatus.NOT_FOUND, "NOT_FOUND",
                    "the server API is off (set api.key to switch it on)"), true);
            return false;
        }
        String presented = request.headers().get(API_KEY_HEADER);
        if (presented == null) {
            String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (authorization != null && authorization.regionMatches(true, 0, API_KEY_SCHEME, 0, API_KEY_SCHEME.length())) {
                presented = authorization.substring(API_KEY_SCHEME.length()).trim();
            }
        }
        if (presented != null && MessageDigest.isEqual(apiKey, presented.getBytes(StandardCharsets.UTF_8))) {
            return true;
        }
        services.sessions().stats().authFailures.increment("api_key");
        respond(ctx, request, error(ctx, HttpResponseStatus.UNAUTHORIZED, "AUTH_FAILED",
                "a valid API key is required (X-API-Key header or Authorization: apikey <key>)"), true);
        return false;
    }

    private FullHttpResponse json(ChannelHandlerContext ctx, HttpResponseStatus status, Object body) {
        return HttpResponses.json(ctx, services.mapper(), status, body);
    }

    private FullHttpResponse error(ChannelHandlerContext ctx, HttpResponseStatus status, String code, String message) {
        return HttpResponses.error(ctx, services.mapper(), status, code, message);
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response,
                                boolean keepAlive) {
        if (HttpMethod.HEAD.equals(request.method())) {
            response.content().clear();
        }
        HttpResponses.send(ctx, request, response, keepAlive);
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
