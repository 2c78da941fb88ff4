package io.fanwire.server.transport;

import io.fanwire.server.ServerConfig;
import io.fanwire.server.http.HttpBodyAggregator;
import io.fanwire.server.http.HttpRouteHandler;
import io.fanwire.server.http.HttpServices;
import io.fanwire.server.http.RequestClockHandler;
import io.fanwire.server.http.RequestTimeoutHandler;
import io.fanwire.server.http.WebSocketHandshakeHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The pipeline of a new connection before any upgrade: with TLS, the {@code SslHandler} and its event handler
 * first (they stay after the upgrade); then the request clock, HTTP codec, request deadline, aggregator, the
 * WebSocket handshake handler and the HTTP routes; on the server API's own port, only codec, request deadline,
 * aggregator and routes. Typed on {@link Channel}, not {@code SocketChannel}: it only builds the pipeline, so it serves any
 * transport and an {@code EmbeddedChannel} in tests alike.
 */
public final class ServerChannelInitializer extends ChannelInitializer<Channel> {

    private final HttpServices services;
    private final HttpDecoderConfig decoderConfig;
    private final boolean apiPort;
    private final WebSocketHandshakeHandler handshake;
    private final ServerTls tls;
    private final TlsEventHandler tlsEvents;

    /** The WebSocket port without TLS: upgrades, health routes, and the server API unless it has a port of its own. */
    public ServerChannelInitializer(HttpServices services) {
        this(services, null, false);
    }

    /** The WebSocket port, over TLS when {@code tls} is not {@code null}. */
    public ServerChannelInitializer(HttpServices services, ServerTls tls) {
        this(services, tls, false);
    }

    private ServerChannelInitializer(HttpServices services, ServerTls tls, boolean apiPort) {
        this.services = services;
        this.apiPort = apiPort;
        this.tls = tls;
        this.tlsEvents = tls == null ? null : new TlsEventHandler(services.sessions().stats());
        this.handshake = apiPort ? null : new WebSocketHandshakeHandler(services);
        ServerConfig config = services.sessions().config();
        this.decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxHttpInitialLineBytes())
                .setMaxHeaderSize(config.maxHttpHeaderBytes());
    }

    /**
     * The server API's own port ({@code api.port}): health and API routes, never an upgrade; over TLS when
     * {@code tls} is not {@code null}.
     */
    public static ServerChannelInitializer apiPort(HttpServices services, ServerTls tls) {
        return new ServerChannelInitializer(services, tls, true);
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (tls != null) {
            p.addLast(PipelineNames.TLS, tls.newHandler(ch.alloc()));
            p.addLast(PipelineNames.TLS_EVENTS, tlsEvents);
        }
        if (!apiPort) {
            p.addLast(PipelineNames.REQUEST_CLOCK, new RequestClockHandler());
        }
        p.addLast(PipelineNames.HTTP_CODEC, new HttpServerCodec(decoderConfig));
        p.addLast(PipelineNames.REQUEST_TIMEOUT, new RequestTimeoutHandler(services));
        p.addLast(PipelineNames.HTTP_AGGREGATOR, new HttpBodyAggregator(services));
        if (apiPort) {
            p.addLast(PipelineNames.HTTP_ROUTES, new HttpRouteHandler(services, true));
        } else {
            p.addLast(PipelineNames.HANDSHAKE, handshake);
            p.addLast(PipelineNames.HTTP_ROUTES, new HttpRouteHandler(services));
        }
    }
}
