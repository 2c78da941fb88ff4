package io.fanwire.server.http;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** Writes the JSON responses of the HTTP surface. */
final class HttpResponses {

    private HttpResponses() {
    }

    /**
     * The answer to a request the HTTP decoder could not read: 414 for an overlong request line, 431 for
     * an oversized header block, 400 otherwise.
     */
    static FullHttpResponse malformed(ChannelHandlerContext ctx, ObjectMapper mapper, Throwable cause) {
        if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
            return error(ctx, mapper, HttpResponseStatus.REQUEST_URI_TOO_LONG, "INVALID_REQUEST", "request line too long");
        }
        if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) {
            return error(ctx, mapper, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "INVALID_REQUEST",
                    "request headers too large");
        }
        return error(ctx, mapper, HttpResponseStatus.BAD_REQUEST, "INVALID_REQUEST", "malformed HTTP request");
    }

    /** A JSON response of {@code body} rendered by {@code mapper}. */
    static FullHttpResponse json(ChannelHandlerContext ctx, ObjectMapper mapper, HttpResponseStatus status, Object body) {
        return json(ctx.alloc(), mapper, status, body);
    }

    /** A JSON response of {@code body} rendered by {@code mapper} into a buffer from {@code alloc}. */
    static FullHttpResponse json(ByteBufAllocator alloc, ObjectMapper mapper, HttpResponseStatus status, Object body) {
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + body.getClass().getSimpleName(), e);
        }
        ByteBuf content = alloc.buffer(bytes.length).writeBytes(bytes);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return response;
    }

    /** The error body of docs/PROTOCOL.md §1: {@code {"code":..,"message":..}}. */
    static FullHttpResponse error(ChannelHandlerContext ctx, ObjectMapper mapper, HttpResponseStatus status,
                                  String code, String message) {
        return error(ctx.alloc(), mapper, status, code, message);
    }

    /** The error body of docs/PROTOCOL.md §1 in a buffer from {@code alloc}. */
    static FullHttpResponse error(ByteBufAllocator alloc, ObjectMapper mapper, HttpResponseStatus status,
                                  String code, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", message);
        return json(alloc, mapper, status, body);
    }

    /**
     * Sends {@code response} to the request; keeps the connection open only when the request allows it and
     * {@code keepAlive} is true (never after a refused upgrade).
     */
    static ChannelFuture send(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse response,
                              boolean keepAlive) {
        return send(ctx, response, keepAlive && HttpUtil.isKeepAlive(request));
    }

    /** Sends {@code response}, then closes the connection unless {@code keep}. */
    static ChannelFuture send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keep) {
        HttpUtil.setKeepAlive(response, keep);
        ChannelFuture future = ctx.writeAndFlush(response);
        if (!keep) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
        return future;
    }
}
