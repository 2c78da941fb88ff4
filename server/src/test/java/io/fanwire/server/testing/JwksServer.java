package io.fanwire.server.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import io.fanwire.common.jwt.JwtAlgorithm;
import io.fanwire.common.jwt.JwtMinter;
import io.jsonwebtoken.security.Jwks;

/**
 * A JWKS endpoint on 127.0.0.1 (the JDK's {@code com.sun.net.httpserver}), serving the public halves of the key
 * pairs a test publishes, by {@code kid}, and minting tokens signed with them. Counts the fetches it answers.
 */
public final class JwksServer implements AutoCloseable {

    private final HttpServer server;
    private final JwtAlgorithm algorithm;
    private final Map<String, KeyPair> published = new LinkedHashMap<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile int status = 200;
    private volatile String document;

    public JwksServer(JwtAlgorithm algorithm) {
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        document = render();
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/.well-known/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] body = document.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /** The URL of the key set. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/.well-known/jwks.json");
    }

    /** Publishes {@code pair}'s public key as {@code kid}. */
    public synchronized JwksServer publish(String kid, KeyPair pair) {
        published.put(kid, pair);
        document = render();
        return this;
    }

    /** Withdraws the key {@code kid}. */
    public synchronized JwksServer withdraw(String kid) {
        published.remove(kid);
        document = render();
        return this;
    }

    /** Answers fetches with {@code status} (200 by default), the current document as the body. */
    public void status(int status) {
        this.status = status;
    }

    /** How many fetches were answered. */
    public int fetches() {
        return fetches.get();
    }

    /** A token for {@code user}, signed with {@code pair} and naming {@code kid}. */
    public String token(String user, KeyPair pair, String kid, Duration ttl) {
        return new JwtMinter(algorithm, pair.getPrivate(), Clock.systemUTC()).withKeyId(kid).mint(user, ttl);
    }

    private String render() {
        StringBuilder json = new StringBuilder("{\"keys\":[");
        String sep = "";
        for (Map.Entry<String, KeyPair> e : published.entrySet()) {
            json.append(sep).append(Jwks.json(Jwks.builder().key(e.getValue().getPublic()).id(e.getKey()).build()));
            sep = ",";
        }
        return json.append("]}").toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
