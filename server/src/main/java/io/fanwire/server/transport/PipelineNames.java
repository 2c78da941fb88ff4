package io.fanwire.server.transport;

/** Names of the handlers in a connection's pipeline, in pipeline order. */
public final class PipelineNames {

    /** The {@code SslHandler}, first of all, when the server is configured for TLS. */
    public static final String TLS = "tls";
    /** Counts failed TLS handshakes and keeps TLS errors from later handlers (with TLS only). */
    public static final String TLS_EVENTS = "tls-events";
    /** Notes when a request's first bytes arrive (handshake timing). Removed on upgrade. */
    public static final String REQUEST_CLOCK = "request-clock";
    /** HTTP request decoder and response encoder (replaced by the WebSocket codec on upgrade). */
    public static final String HTTP_CODEC = "http-codec";
    /** Closes connections that do not deliver a complete HTTP request in time (408). Removed on upgrade. */
    public static final String REQUEST_TIMEOUT = "request-timeout";
    /** Joins an HTTP request with its body. Removed on upgrade. */
    public static final String HTTP_AGGREGATOR = "http-aggregator";
    /** Authenticates the upgrade request and performs the handshake. Removes itself. */
    public static final String HANDSHAKE = "ws-handshake";
    /** Serves the HTTP routes (health, API). Removed on upgrade. */
    public static final String HTTP_ROUTES = "http-routes";
    /** Netty's WebSocket frame decoder (named by the handshaker). */
    public static final String WS_DECODER = "wsdecoder";
    /** Netty's WebSocket frame encoder (named by the handshaker). */
    public static final String WS_ENCODER = "wsencoder";
    /** Closes with 1007 on invalid UTF-8 in text frames, also across fragments. */
    public static final String WS_UTF8 = "ws-utf8";
    /** Joins fragmented messages up to the message size limit. */
    public static final String WS_AGGREGATOR = "ws-aggregator";
    /** The connection's protocol handler, which also encodes its outbound messages; the last handler. */
    public static final String SESSION = "session";

    private PipelineNames() {
    }
}
