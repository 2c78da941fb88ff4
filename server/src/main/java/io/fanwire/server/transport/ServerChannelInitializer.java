package io.fanwire.server.transport;

import io.fanwire.server.ServerConfig;
import io.fanwire.server.http.HttpBodyAggregator;
import io.fanwire.server.http.HttpRouteHandler;
import io.fanwire.server.http.HttpServices;
import io.fanwire.server.http.RequestClockHandler;
import io.fanwire.server.http.WebSocketHandshakeHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The pipeline of a new connection before any upgrade: the request clock, HTTP codec, aggregator, the
 * WebSocket handshake handler and the HTTP routes. Typed on {@link Channel}, not {@code SocketChannel}: it only builds the
 * pipeline, so it serves any transport and an {@code EmbeddedChannel} in tests alike.
 */
public final class ServerChannelInitializer extends ChannelInitializer<Channel> {

    private final HttpServices services;
    private final HttpDecoderConfig decoderConfig;

    public ServerChannelInitializer(HttpServices services) {
        this.services = services;
        ServerConfig config = services.sessions().config();
        this.decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxHttpInitialLineBytes())
                .setMaxHeaderSize(config.maxHttpHeaderBytes());
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast(PipelineNames.REQUEST_CLOCK, new RequestClockHandler());
        p.addLast(PipelineNames.HTTP_CODEC, new HttpServerCodec(decoderConfig));
        p.addLast(PipelineNames.HTTP_AGGREGATOR, new HttpBodyAggregator(services));
        p.addLast(PipelineNames.HANDSHAKE, new WebSocketHandshakeHandler(services));
        p.addLast(PipelineNames.HTTP_ROUTES, new HttpRouteHandler(services));
    }
}
