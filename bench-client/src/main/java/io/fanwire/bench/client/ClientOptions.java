package io.fanwire.bench.client;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import io.fanwire.common.codec.WireFormat;

/**
 * How the client opens and speaks on its connections.
 *
 * @param url              the WebSocket URL ({@code ws://host:port/path})
 * @param carrier          where the token goes
 * @param tokens           the token of each connection
 * @param format           the server's outbound encoding asked for ({@code ?format=msgpack}) and the
 *                         client's own outbound encoding
 * @param compression      whether {@code client_hello} asks for {@code C:} frames
 * @param raw              a plain WebSocket peer: no {@code server_ready}, no {@code client_hello}, frames
 *                         that may not be Fanwire envelopes
 * @param sourceAddresses  local addresses to bind, round-robin by connection index; empty: the kernel's choice
 * @param connectTimeout   TCP connect plus upgrade must finish within this
 * @param maxFrameBytes    largest frame accepted from the server
 * @param ioThreads        event loops (0: one per core)
 */
public record ClientOptions(URI url, TokenCarrier carrier, TokenSource tokens, WireFormat format,
                            boolean compression, boolean raw, List<InetAddress> sourceAddresses,
                            Duration connectTimeout, int maxFrameBytes, int ioThreads) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

    public ClientOptions {
        Objects.requireNonNull(url, "url");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws")) {
            throw new IllegalArgumentException("url: " + url + " (expected: ws://host:port/path)");
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("url: " + url + " (expected: a host)");
        }
        Objects.requireNonNull(carrier, "carrier");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(format, "format");
        sourceAddresses = List.copyOf(sourceAddresses);
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (maxFrameBytes <= 0) {
            throw new IllegalArgumentException("maxFrameBytes: " + maxFrameBytes + " (expected: > 0)");
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: >= 0)");
        }
    }

    /** Options for {@code url} with a header token from {@code tokens}, JSON, no compression. */
    public static ClientOptions of(URI url, TokenSource tokens) {
        return new ClientOptions(url, TokenCarrier.HEADER, tokens, WireFormat.JSON, false, false, List.of(),
                DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_FRAME_BYTES, 0);
    }

    public ClientOptions withFormat(WireFormat format) {
        return new ClientOptions(url, carrier, tokens, format, compression, raw, sourceAddresses, connectTimeout,
                maxFrameBytes, ioThreads);
    }

    public ClientOptions withCompression(boolean compression) {
        return new ClientOptions(url, carrier, tokens, format, compression, raw, sourceAddresses, connectTimeout,
                maxFrameBytes, ioThreads);
    }

    public ClientOptions withCarrier(TokenCarrier carrier) {
        return new ClientOptions(url, carrier, tokens, format, compression, raw, sourceAddresses, connectTimeout,
                maxFrameBytes, ioThreads);
    }

    public ClientOptions withRaw(boolean raw) {
        return new ClientOptions(url, carrier, tokens, format, compression, raw, sourceAddresses, connectTimeout,
                maxFrameBytes, ioThreads);
    }

    public ClientOptions withUrl(URI url) {
        return new ClientOptions(url, carrier, tokens, format, compression, raw, sourceAddresses, connectTimeout,
                maxFrameBytes, ioThreads);
    }

    /** The port of {@link #url}, defaulting to 80. */
    public int port() {
        return url.getPort() < 0 ? 80 : url.getPort();
    }
}
