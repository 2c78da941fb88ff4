package io.fanwire.server.http;

import io.fanwire.common.protocol.ErrorCode;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty's {@link HttpObjectAggregator} with the server API's 413: a request body above
 * {@code http.max_body_bytes} is answered {@code 413 {"code":"MESSAGE_TOO_LARGE",...}} and counted in
 * {@code apiRequests} as {@code <route>_413}, both when its {@code Content-Length} announces it (with or
 * without {@code Expect: 100-continue}) and when a chunked body grows past the limit. Whether the connection
 * stays open afterwards is Netty's decision, unchanged: it closes unless the unread body can be skipped.
 */
public final class HttpBodyAggregator extends HttpObjectAggregator {

    private final HttpServices services;

    public HttpBodyAggregator(HttpServices services) {
        super(services.sessions().config().maxHttpBodyBytes(), true);
        this.services = services;
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof HttpResponse r && HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.equals(r.status())) {
            ReferenceCountUtil.release(response);
            // Closed after it is written: the aggregator was built with closeOnExpectationFailed.
            FullHttpResponse tooLarge = tooLarge(pipeline.channel().alloc(), start, maxContentLength);
            HttpUtil.setKeepAlive(tooLarge, false);
            return tooLarge;
        }
        return response;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        // As Netty decides: once body bytes were taken in, or when the request does not keep the connection,
        // close; otherwise the aggregator skips the body and the connection serves the next request.
        boolean close = oversized instanceof FullHttpMessage
                || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized);
        FullHttpResponse response = tooLarge(ctx.alloc(), oversized, maxContentLength());
        HttpUtil.setKeepAlive(response, !close);
        ctx.writeAndFlush(response).addListener(close ? ChannelFutureListener.CLOSE
                : ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    private FullHttpResponse tooLarge(ByteBufAllocator alloc, HttpMessage request, int maxContentLength) {
        String path = path((HttpRequest) request);
        if (path != null && ApiRoutes.isApiPath(path)) {
            services.sessions().stats().apiRequests.increment(ApiRoutes.route(path) + "_413");
        }
        return HttpResponses.error(alloc, services.mapper(), HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                ErrorCode.MESSAGE_TOO_LARGE.name(), "request body larger than " + maxContentLength + " bytes");
    }

    private static String path(HttpRequest request) {
        try {
            return new QueryStringDecoder(request.uri()).path();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
