package io.fanwire.server.auth;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fanwire.common.jwt.JwkSets;
import io.fanwire.common.jwt.JwtAlgorithm;
import io.fanwire.common.jwt.JwtKeySet;
import io.fanwire.server.ServerConfig.JwksConfig;
import io.fanwire.server.metrics.ServerStats;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Verification keys fetched from a JWKS URL and cached (see {@link JwksConfig}). The verifier reads the cached map
 * on event loops; fetching happens on this source's own thread with the JDK's {@link HttpClient}, never on an event
 * loop. A token whose {@code kid} is not cached is rejected at once (401, counted as {@code unknown_key}); it asks
 * for a refresh, which runs at most once per {@code minRefreshInterval} however many such tokens arrive, so that
 * made-up kids cannot turn into a flood of fetches. The {@code kid} is only ever a key into the cached map.
 */
public final class JwksKeySource implements JwtKeySet, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JwksKeySource.class);

    private final JwksConfig config;
    private final JwtAlgorithm algorithm;
    private final ServerStats stats;
    private final ScheduledExecutorService executor;
    private final HttpClient http;
    private final long minRefreshNanos;
    private volatile Map<String, PublicKey> keys = Map.of();
    /** When an unknown kid last asked for a fetch ({@link System#nanoTime()}): their rate limit. */
    private final AtomicLong lastKidRefreshNanos;
    private final AtomicReference<CompletableFuture<Boolean>> inFlight = new AtomicReference<>();

    /**
     * @param algorithm only keys that verify it are kept
     * @param stats counts fetches by outcome
     */
    public JwksKeySource(JwksConfig config, JwtAlgorithm algorithm, ServerStats stats) {
        this.config = Objects.requireNonNull(config, "config");
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.stats = Objects.requireNonNull(stats, "stats");
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, new DefaultThreadFactory("fanwire-jwks", true));
        pool.setRemoveOnCancelPolicy(true);
        this.executor = pool;
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.fetchTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                // The body is collected without blocking (see limitedBody), so no thread waits on a stalled peer.
                .build();
        this.minRefreshNanos = config.minRefreshInterval().toNanos();
        this.lastKidRefreshNanos = new AtomicLong(System.nanoTime() - minRefreshNanos);
    }

    /**
     * Fetches the key set once, waiting up to the fetch timeout (call it before the server accepts connections),
     * then every refresh interval. A failed first fetch is logged; the server runs on and rejects tokens of the key
     * set until a later fetch succeeds.
     */
    public void start() {
        long interval = config.refreshInterval().toNanos();
        executor.scheduleWithFixedDelay(this::refresh, interval, interval, TimeUnit.NANOSECONDS);
        try {
            refresh().get(config.fetchTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.warn("JWKS {}: no keys yet ({}); tokens of the key set are refused until a fetch succeeds",
                    config.url(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Map<String, PublicKey> keys() {
        return keys;
    }

    /** Asks for a refresh unless an unknown kid asked for one within the minimum interval. Never blocks. */
    @Override
    public void unknownKid(String kid) {
        long now = System.nanoTime();
        long last = lastKidRefreshNanos.get();
        if (now - last < minRefreshNanos || !lastKidRefreshNanos.compareAndSet(last, now)) {
            return;
        }
        try {
            executor.execute(this::refresh);
        } catch (RejectedExecutionException ignored) {
            // Closed: the server is stopping, there is nothing to refresh for.
        }
    }

    /**
     * Fetches the key set now, unless a fetch is in flight (then that one's result). Completes with whether the
     * fetch succeeded; the cached keys change only on success.
     */
    public CompletableFuture<Boolean> refresh() {
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> running = inFlight.compareAndExchange(null, mine);
        if (running != null) {
            return running;
        }
        HttpRequest request = HttpRequest.newBuilder(config.url())
                .timeout(config.fetchTimeout())
                .header("Accept", "application/jwk-set+json, application/json")
                .GET()
                .build();
        CompletableFuture<Map<String, PublicKey>> fetched;
        CompletableFuture<HttpResponse<byte[]>> sent = null;
        try {
            sent = http.sendAsync(request, limitedBody(JwkSets.MAX_DOCUMENT_CHARS));
            // The request timeout covers the headers only: this one bounds the body too, so a peer that stalls
            // mid-body fails the fetch and clears inFlight instead of keeping every later refresh waiting.
            fetched = sent.thenApplyAsync(this::parse, executor)
                    .orTimeout(config.fetchTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            fetched = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<HttpResponse<byte[]>> exchange = sent;
        fetched.whenComplete((set, failure) -> {
            // Cleared first: whoever sees this fetch's keys and asks for another refresh gets a new fetch, not this
            // one again. Fetches run on one thread, so an older one can never overwrite a newer one's keys.
            inFlight.set(null);
            boolean ok = failure == null;
            if (ok) {
                int before = keys.size();
                keys = set;
                stats.jwksFetches.increment("ok");
                if (LOG.isDebugEnabled() || before == 0) {
                    LOG.info("JWKS {}: {} key(s) for {}", config.url(), set.size(), algorithm);
                }
            } else {
                if (exchange != null) {
                    // Abandons the exchange (and its connection) if it is still reading a stalled body.
                    exchange.cancel(true);
                }
                stats.jwksFetches.increment("failed");
                Throwable cause = failure instanceof CompletionException c && c.getCause() != null
                        ? c.getCause() : failure;
                LOG.warn("JWKS {}: fetch failed ({}); keeping the {} key(s) fetched before", config.url(), cause.toString(),
                        keys.size());
            }
            mine.complete(ok);
        });
        return mine;
    }

    /** Keeps the keys of a 200 answer that verify the algorithm. */
    private Map<String, PublicKey> parse(HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode());
        }
        Map<String, PublicKey> set = JwkSets.verificationKeys(algorithm,
                new String(response.body(), StandardCharsets.UTF_8));
        if (set.isEmpty()) {
            throw new IllegalStateException("no key in the set verifies " + algorithm);
        }
        return set;
    }

    /**
     * Collects a body of at most {@code maxBytes} without blocking a thread; a larger one cancels the exchange and
     * fails the fetch as soon as the limit is passed. A non-200 answer's body is not read at all.
     */
    static BodyHandler<byte[]> limitedBody(int maxBytes) {
        return info -> info.statusCode() == 200
                ? new LimitedBodySubscriber(BodySubscribers.ofByteArray(), maxBytes)
                : BodySubscribers.replacing(new byte[0]);
    }

    /** Passes buffers on to {@code delegate} until more than {@code maxBytes} arrived, then fails. */
    private static final class LimitedBodySubscriber implements BodySubscriber<byte[]> {

        private final BodySubscriber<byte[]> delegate;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final long maxBytes;
        private Flow.Subscription subscription;
        private long received;
        private boolean failed;

        LimitedBodySubscriber(BodySubscriber<byte[]> delegate, int maxBytes) {
            this.delegate = delegate;
            this.maxBytes = maxBytes;
            delegate.getBody().whenComplete((bytes, failure) -> {
                if (failure == null) {
                    body.complete(bytes);
                } else {
                    body.completeExceptionally(failure);
                }
            });
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            delegate.onSubscribe(subscription);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (failed) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                received += buffer.remaining();
            }
            if (received > maxBytes) {
                failed = true;
                subscription.cancel();
                body.completeExceptionally(new IllegalStateException("key set larger than " + maxBytes + " bytes"));
                return;
            }
            delegate.onNext(buffers);
        }

        @Override
        public void onError(Throwable throwable) {
            if (!failed) {
                delegate.onError(throwable);
            }
        }

        @Override
        public void onComplete() {
            if (!failed) {
                delegate.onComplete();
            }
        }
    }

    /** Stops refreshing; a fetch in flight is abandoned. */
    @Override
    public void close() {
        executor.shutdownNow();
        http.shutdownNow();
    }
}
