package io.fanwire.server.http;

import java.util.LinkedHashMap;
import java.util.Map;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The answer to a server API request before it is rendered: rendering waits until it can be written, so an
 * answer that arrives after its connection closed costs no buffer.
 *
 * @param route the route's name, the label under which the request is counted
 * @param status the HTTP status
 * @param body rendered as JSON
 * @param headers extra response headers
 */
record ApiAnswer(String route, HttpResponseStatus status, Object body, Map<String, String> headers) {

    ApiAnswer {
        headers = Map.copyOf(headers);
    }

    static ApiAnswer ok(String route, Object body) {
        return new ApiAnswer(route, HttpResponseStatus.OK, body, Map.of());
    }

    /** An error with the body of docs/PROTOCOL.md §1: {@code {"code":..,"message":..}}. */
    static ApiAnswer error(String route, HttpResponseStatus status, String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", message);
        return new ApiAnswer(route, status, body, Map.of());
    }

    /** This answer with header {@code name} set to {@code value}. */
    ApiAnswer with(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ApiAnswer(route, status, body, more);
    }
}
