package io.fanwire.server.http;

import java.util.Objects;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.server.auth.Authenticator;
import io.fanwire.server.session.SessionServices;

/**
 * The server-wide parts the HTTP handlers use, created once per server.
 *
 * @param sessions what upgraded connections use
 * @param authenticator decides who may connect
 * @param mapper renders JSON bodies
 * @param ready whether {@code /health/ready} answers 200
 * @param accepting whether new WebSocket upgrades are accepted (false while draining or stopping)
 * @param api the server API ({@code /api/*}), shared by every connection and listener
 */
public record HttpServices(SessionServices sessions, Authenticator authenticator, ObjectMapper mapper,
                           BooleanSupplier ready, BooleanSupplier accepting, ApiRoutes api) {

    public HttpServices {
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(mapper, "mapper");
        Objects.requireNonNull(ready, "ready");
        Objects.requireNonNull(accepting, "accepting");
        Objects.requireNonNull(api, "api");
    }
}
