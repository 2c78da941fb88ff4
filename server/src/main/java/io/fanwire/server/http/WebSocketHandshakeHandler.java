package io.fanwire.server.http;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fanwire.common.codec.WireFormat;
import io.fanwire.common.protocol.ErrorCode;
import io.fanwire.common.protocol.Uuid7;
import io.fanwire.server.ServerConfig;
import io.fanwire.server.auth.AuthResult;
import io.fanwire.server.drain.ConnectionInfo;
import io.fanwire.server.metrics.ServerStats;
import io.fanwire.server.session.RetryHint;
import io.fanwire.server.session.SessionHandler;
import io.fanwire.server.transport.PipelineNames;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.ReferenceCountUtil;

/**
 * Authenticates WebSocket upgrade requests and performs the handshake. Every refusal is an HTTP answer
 * with a JSON body ({@code 400}, {@code 401}, {@code 403}, {@code 405}, {@code 426}, {@code 429}, {@code 503}), never
 * a bare close. Before the token is even looked at, the upgrade must be admitted by the {@link ConnectionLimits}
 * (server cap: 503; per client address: 429), so that a flood costs no signature checks.
 * On success it installs the connection's handlers and removes itself and the HTTP handlers: nothing of
 * authentication stays in the pipeline. Requests for other paths pass on to the HTTP routes.
 *
 * <p>A successful upgrade is timed from the first byte of its request (noted by the {@link RequestClockHandler}
 * before the codec) to the 101 written, into {@link ServerStats#handshakes}.
 *
 * <p>Stateless: one instance serves every connection.
 */
@ChannelHandler.Sharable
public final class WebSocketHandshakeHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketHandshakeHandler.class);
    private static final String WEBSOCKET_VERSION = "13";
    /** Seconds a client is told to wait before retrying when the server is not accepting connections. */
    private static final int RETRY_AFTER_SECONDS = 5;

    private final HttpServices services;
    private final Set<String> paths;
    private final WebSocketDecoderConfig decoderConfig;

    public WebSocketHandshakeHandler(HttpServices services) {
        this.services = services;
        ServerConfig config = services.sessions().config();
        this.paths = Set.copyOf(config.webSocketPaths());
        this.decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(config.maxFrameBytes())
                .allowMaskMismatch(false)
                .allowExtensions(false)
                .closeOnProtocolViolation(true)
                .withUTF8Validator(true)
                .build();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        // Every request takes its start, so that the next one is timed from its own first byte.
        long startNanos = requestStart(ctx);
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        if (!paths.contains(query.path())) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            handshake(ctx, request, query, startNanos);
        } finally {
            ReferenceCountUtil.release(request);
        }
    }

    private void handshake(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query,
                           long startNanos) {
        HttpHeaders headers = request.headers();
        if (request.decoderResult().isFailure()) {
            reject(ctx, request, HttpResponses.malformed(ctx, services.mapper(), request.decoderResult().cause()),
                    "malformed");
            return;
        }
        if (!HttpMethod.GET.equals(request.method())) {
            FullHttpResponse response = HttpResponses.error(ctx, services.mapper(), HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "METHOD_NOT_ALLOWED", "a WebSocket upgrade is a GET request");
            response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.GET.name());
            reject(ctx, request, response, "method");
            return;
        }
        if (!headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                || !headers.contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            refuse(ctx, request, HttpResponseStatus.BAD_REQUEST, "not_upgrade", "INVALID_REQUEST",
                    "expected a WebSocket upgrade (Connection: Upgrade, Upgrade: websocket)");
            return;
        }
        if (!WEBSOCKET_VERSION.equals(headers.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
            FullHttpResponse response = HttpResponses.error(ctx, services.mapper(), HttpResponseStatus.UPGRADE_REQUIRED,
                    "UNSUPPORTED_VERSION", "only WebSocket version 13 is supported");
            response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, WEBSOCKET_VERSION);
            reject(ctx, request, response, "version");
            return;
        }
        if (!headers.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY)) {
            refuse(ctx, request, HttpResponseStatus.BAD_REQUEST, "no_key", "INVALID_REQUEST",
                    "missing Sec-WebSocket-Key");
            return;
        }
        if (!services.accepting().getAsBoolean()) {
            boolean draining = services.draining().getAsBoolean();
            unavailable(ctx, request, draining ? "draining" : "unavailable",
                    draining ? "server is draining; connect to another node" : "server is not accepting connections",
                    draining ? drainingRetryAfterSeconds() : RETRY_AFTER_SECONDS);
            return;
        }
        switch (services.limits().tryAdmit(ctx.channel())) {
            case ADMITTED -> { }
            case SERVER_FULL -> {
                unavailable(ctx, request, "full", "server is at its connection limit", RETRY_AFTER_SECONDS);
                return;
            }
            case IP_CONNECTIONS -> {
                tooMany(ctx, request, "ip_connections", ErrorCode.LIMIT_EXCEEDED,
                        "too many connections from your address");
                return;
            }
            case IP_RATE -> {
                tooMany(ctx, request, "ip_rate", ErrorCode.RATE_LIMITED, "too many connection attempts from your address");
                return;
            }
        }
        AuthResult auth = services.authenticator().authenticate(headers, query);
        if (auth instanceof AuthResult.Rejected rejected) {
            stats().authFailures.increment(rejected.reason());
            FullHttpResponse response = HttpResponses.error(ctx, services.mapper(), HttpResponseStatus.UNAUTHORIZED,
                    rejected.code().name(), rejected.message());
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
            reject(ctx, request, response, "auth");
            return;
        }
        AuthResult.Accepted accepted = (AuthResult.Accepted) auth;
        String originProblem = originProblem(headers, accepted);
        if (originProblem != null) {
            refuse(ctx, request, HttpResponseStatus.FORBIDDEN, "origin", ErrorCode.FORBIDDEN.name(), originProblem);
            return;
        }
        upgrade(ctx, request, query, accepted, startNanos);
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query,
                         AuthResult.Accepted accepted, long startNanos) {
        ServerConfig config = services.sessions().config();
        String subprotocol = config.auth().subprotocol();
        WebSocketServerHandshakerFactory factory = new WebSocketServerHandshakerFactory(
                "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + query.path(), subprotocol,
                decoderConfig);
        // The token may ride in the subprotocol list; keep it away from the handshaker, which logs what it
        // cannot select (at DEBUG) and has no use for it.
        stripTokenSubprotocols(request.headers());
        WebSocketServerHandshaker handshaker = factory.newHandshaker(request);
        if (handshaker == null) {
            refuse(ctx, request, HttpResponseStatus.UPGRADE_REQUIRED, "version", "UNSUPPORTED_VERSION",
                    "only WebSocket version 13 is supported");
            return;
        }
        ConnectionInfo info = new ConnectionInfo(Uuid7.next(), accepted.userId(), accepted.claims(),
                remote(ctx.channel().remoteAddress()), Instant.now(), format(query));

        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.remove(PipelineNames.HTTP_ROUTES);
        if (pipeline.get(PipelineNames.REQUEST_CLOCK) != null) {
            pipeline.remove(PipelineNames.REQUEST_CLOCK);
        }
        if (pipeline.get(PipelineNames.REQUEST_TIMEOUT) != null) {
            // From here on the heartbeat's idle timeout watches the connection.
            pipeline.remove(PipelineNames.REQUEST_TIMEOUT);
        }
        SessionHandler session = SessionHandler.install(pipeline, services.sessions(), info, accepted.expiresAt());
        pipeline.remove(this);
        handshaker.handshake(ctx.channel(), request, null, ctx.channel().newPromise()).addListener(f -> {
            if (f.isSuccess()) {
                stats().handshakes.recordNanos(System.nanoTime() - startNanos);
                session.start();
            } else {
                LOG.debug("Handshake of {} failed: {}", info.id(), f.cause().toString());
                ctx.channel().close();
            }
        });
    }

    /** 503 with {@code Retry-After}: the server is starting, stopping, draining or full. */
    private void unavailable(ChannelHandlerContext ctx, FullHttpRequest request, String reason, String message,
                             long retryAfterSeconds) {
        FullHttpResponse response = HttpResponses.error(ctx, services.mapper(), HttpResponseStatus.SERVICE_UNAVAILABLE,
                "UNAVAILABLE", message);
        response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        reject(ctx, request, response, reason);
    }

    /** 429 with {@code Retry-After}: this client address is over a limit; other addresses are not affected. */
    private void tooMany(ChannelHandlerContext ctx, FullHttpRequest request, String reason, ErrorCode code,
                         String message) {
        FullHttpResponse response = HttpResponses.error(ctx, services.mapper(), HttpResponseStatus.TOO_MANY_REQUESTS,
                code.name(), message);
        response.headers().setInt(HttpHeaderNames.RETRY_AFTER, 1);
        reject(ctx, request, response, reason);
    }

    /** A drain's retry hint, in whole seconds (at least 1), jittered like the close reasons of the drain. */
    private long drainingRetryAfterSeconds() {
        ServerConfig.ShutdownConfig shutdown = services.sessions().config().shutdown();
        long millis = RetryHint.retryAfterMillis(shutdown.retryAfter(), shutdown.retryJitter());
        return Math.max(1, (millis + 999) / 1000);
    }

    private void refuse(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                        String reason, String code, String message) {
        reject(ctx, request, HttpResponses.error(ctx, services.mapper(), status, code, message), reason);
    }

    private void reject(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response, String reason) {
        stats().handshakesRejected.increment(response.status().code() + "_" + reason);
        if (LOG.isDebugEnabled()) {
            LOG.debug("Refused upgrade from {}: {} {}", ctx.channel().remoteAddress(), response.status().code(), reason);
        }
        HttpResponses.send(ctx, request, response, false);
    }

    /** When the request just decoded began to arrive (now, without a {@link RequestClockHandler} before the codec). */
    private static long requestStart(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        ChannelHandler clock = ctx.pipeline().get(PipelineNames.REQUEST_CLOCK);
        return clock instanceof RequestClockHandler c ? c.take(now) : now;
    }

    private ServerStats stats() {
        return services.sessions().stats();
    }

    /**
     * Why the request's {@code Origin} may not connect, or {@code null}. With an allow-list, only listed origins
     * (and requests without {@code Origin}: not browsers) pass. Without one, a token taken from a cookie is
     * accepted only from the server's own origin, so that another site cannot open a connection on the strength
     * of a browser's cookie (cross-site WebSocket hijacking).
     */
    private String originProblem(HttpHeaders headers, AuthResult.Accepted accepted) {
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            return null;
        }
        List<String> allowed = services.sessions().config().auth().allowedOrigins();
        if (!allowed.isEmpty()) {
            return allowed.contains(origin) ? null : "origin not allowed";
        }
        if (accepted.carrier() == io.fanwire.server.auth.TokenCarrier.COOKIE
                && !sameOrigin(origin, headers.get(HttpHeaderNames.HOST))) {
            return "a token in a cookie is accepted only from this server's own origin (or set auth.allowed_origins)";
        }
        return null;
    }

    /** Whether {@code origin} ({@code scheme://host[:port]}) names the same host and port as {@code Host}. */
    private static boolean sameOrigin(String origin, String host) {
        if (host == null) {
            return false;
        }
        int scheme = origin.indexOf("://");
        String authority = scheme < 0 ? origin : origin.substring(scheme + 3);
        if (authority.endsWith("/")) {
            authority = authority.substring(0, authority.length() - 1);
        }
        return authority.equalsIgnoreCase(host) || withoutDefaultPort(origin, authority).equalsIgnoreCase(host);
    }

    private static String withoutDefaultPort(String origin, String authority) {
        if (origin.startsWith("https://") && authority.endsWith(":443")) {
            return authority.substring(0, authority.length() - 4);
        }
        if (origin.startsWith("http://") && authority.endsWith(":80")) {
            return authority.substring(0, authority.length() - 3);
        }
        return authority;
    }

    private static void stripTokenSubprotocols(HttpHeaders headers) {
        List<String> values = headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        if (values.isEmpty()) {
            return;
        }
        List<String> kept = new java.util.ArrayList<>();
        for (String value : values) {
            for (String entry : value.split(",")) {
                String p = entry.trim();
                if (!p.isEmpty() && !p.startsWith(io.fanwire.server.auth.TokenExtractor.SUBPROTOCOL_TOKEN_PREFIX)) {
                    kept.add(p);
                }
            }
        }
        if (kept.isEmpty()) {
            headers.remove(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        } else {
            headers.set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, String.join(", ", kept));
        }
    }

    private static WireFormat format(QueryStringDecoder query) {
        List<String> values = query.parameters().get("format");
        return values != null && !values.isEmpty() && "msgpack".equalsIgnoreCase(values.get(0))
                ? WireFormat.MSGPACK : WireFormat.JSON;
    }

    private static InetSocketAddress remote(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet : null;
    }
}
