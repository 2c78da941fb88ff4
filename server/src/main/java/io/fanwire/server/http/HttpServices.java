package io.fanwire.server.http;

import java.util.Objects;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.server.auth.Authenticator;
import io.fanwire.server.metrics.HeapBudget;
import io.fanwire.server.metrics.MetricsExposition;
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
 * @param metrics what {@code GET /metrics} renders (on the listener that serves the API)
 * @param heapBudget {@code /health/ready} answers 503 while it is exceeded
 * @param draining whether the server is draining: readiness and refused upgrades then say so
 * @param limits admission of upgrades: the connection caps and the upgrade rate per client address
 */
public record HttpServices(SessionServices sessions, Authenticator authenticator, ObjectMapper mapper,
                           BooleanSupplier ready, BooleanSupplier accepting, ApiRoutes api,
                           MetricsExposition metrics, HeapBudget heapBudget, BooleanSupplier draining,
                           ConnectionLimits limits) {

    public HttpServices {
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(mapper, "mapper");
        Objects.requireNonNull(ready, "ready");
        Objects.requireNonNull(accepting, "accepting");
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(heapBudget, "heapBudget");
        Objects.requireNonNull(draining, "draining");
        Objects.requireNonNull(limits, "limits");
    }

    /** Never draining, without connection limits. */
    public HttpServices(SessionServices sessions, Authenticator authenticator, ObjectMapper mapper,
                        BooleanSupplier ready, BooleanSupplier accepting, ApiRoutes api,
                        MetricsExposition metrics, HeapBudget heapBudget) {
        this(sessions, authenticator, mapper, ready, accepting, api, metrics, heapBudget, () -> false,
                ConnectionLimits.NONE);
    }

    /** Without metrics ({@code /metrics} answers 404) and without a heap budget. */
    public HttpServices(SessionServices sessions, Authenticator authenticator, ObjectMapper mapper,
                        BooleanSupplier ready, BooleanSupplier accepting, ApiRoutes api) {
        this(sessions, authenticator, mapper, ready, accepting, api, MetricsExposition.UNAVAILABLE, HeapBudget.DISABLED);
    }
}
