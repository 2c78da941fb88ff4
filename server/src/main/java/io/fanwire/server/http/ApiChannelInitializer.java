package io.fanwire.server.http;

import io.fanwire.server.ServerConfig;
import io.fanwire.server.transport.PipelineNames;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The pipeline of a connection to the server API's own port ({@code api.port}): HTTP codec, aggregator and
 * the HTTP routes with the API. No WebSocket upgrade happens here, so nothing else is installed.
 */
public final class ApiChannelInitializer extends ChannelInitializer<SocketChannel> {

    private final HttpServices services;
    private final HttpDecoderConfig decoderConfig;

    public ApiChannelInitializer(HttpServices services) {
        this.services = services;
        ServerConfig config = services.sessions().config();
        this.decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxHttpInitialLineBytes())
                .setMaxHeaderSize(config.maxHttpHeaderBytes());
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast(PipelineNames.HTTP_CODEC, new HttpServerCodec(decoderConfig));
        p.addLast(PipelineNames.HTTP_AGGREGATOR, new HttpBodyAggregator(services));
        p.addLast(PipelineNames.HTTP_ROUTES, new HttpRouteHandler(services, true));
    }
}
