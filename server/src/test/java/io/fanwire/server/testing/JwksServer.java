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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
    /** While set, answers send the headers and half the body, then wait for the latch to open. */
    private volatile CountDownLatch stall;
    private final ExecutorService handlers = Executors.newCachedThreadPool();

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
                CountDownLatch gate = stall;
                if (gate != null) {
                    out.write(body, 0, body.length / 2);
                    out.flush();
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    out.write(body, body.length / 2, body.length - body.length / 2);
                } else {
                    out.write(body);
                }
            }
        });
        // A stalled answer holds its own thread, not the dispatcher's.
        server.setExecutor(handlers);
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

    /** Serves {@code raw} as the document, whatever was published, until the next publish or withdraw. */
    public void document(String raw) {
        document = Objects.requireNonNull(raw, "raw");
    }

    /** Answers fetches with {@code status} (200 by default), the current document as the body. */
    public void status(int status) {
        this.status = status;
    }

    /**
     * While {@code stalled}, answers send their headers and half the body, then stop until {@link #close()} or
     * a call with {@code false}: a key set endpoint that hangs mid-body.
     */
    public void stallBody(boolean stalled) {
        CountDownLatch previous = stall;
        stall = stalled ? new CountDownLatch(1) : null;
        if (previous != null) {
            previous.countDown();
        }
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
        stallBody(false);
        server.stop(0);
        handlers.shutdownNow();
    }
}
