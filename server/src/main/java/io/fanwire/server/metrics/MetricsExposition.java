package io.fanwire.server.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Renders the Prometheus exposition of a {@link PrometheusMeterRegistry} on an executor of its own, off the event
 * loops: a scrape reads every gauge, and a few of them (open file descriptors, the RSS) read {@code /proc}.
 * Concurrent requests for the same format share the rendering under way, so a flood of scrapes costs at most
 * one rendering per format at a time and never queues up work.
 */
public final class MetricsExposition {

    /** The Prometheus text format, the default. */
    public static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /** OpenMetrics text, for scrapers that ask for it in {@code Accept}. */
    public static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /** A scrape that cannot be rendered: the registry is not a Prometheus one. */
    public static final MetricsExposition UNAVAILABLE = new MetricsExposition(null, Runnable::run);

    /**
     * A rendered exposition.
     *
     * @param contentType the {@code Content-Type} of {@code body}
     * @param body the exposition, UTF-8
     */
    public record Scrape(String contentType, byte[] body) {
    }

    private final PrometheusMeterRegistry registry;
    private final Executor executor;
    private final AtomicReference<CompletableFuture<Scrape>> text = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<Scrape>> openMetrics = new AtomicReference<>();

    private MetricsExposition(PrometheusMeterRegistry registry, Executor executor) {
        this.registry = registry;
        this.executor = executor;
    }

    /**
     * The exposition of {@code registry}, rendered on {@code executor}; {@link #UNAVAILABLE} when {@code registry}
     * is not a {@link PrometheusMeterRegistry}.
     */
    public static MetricsExposition of(MeterRegistry registry, Executor executor) {
        return registry instanceof PrometheusMeterRegistry prometheus
                ? new MetricsExposition(prometheus, executor) : UNAVAILABLE;
    }

    /** Whether there is anything to scrape. */
    public boolean available() {
        return registry != null;
    }

    /** The content type answered to {@code accept}: OpenMetrics when asked for (with a q above 0), else text. */
    public static String negotiate(String accept) {
        if (accept == null) {
            return TEXT;
        }
        for (String range : accept.split(",")) {
            String[] params = range.split(";");
            if (!params[0].trim().equalsIgnoreCase("application/openmetrics-text")) {
                continue;
            }
            boolean acceptable = true;
            for (int i = 1; i < params.length; i++) {
                String p = params[i].trim().toLowerCase(Locale.ROOT);
                if (p.startsWith("q=")) {
                    try {
                        acceptable = Double.parseDouble(p.substring(2)) > 0;
                    } catch (NumberFormatException e) {
                        acceptable = false;
                    }
                }
            }
            if (acceptable) {
                return OPENMETRICS;
            }
        }
        return TEXT;
    }

    /**
     * Renders the exposition in the format {@code accept} asks for. The future completes on the rendering
     * thread, or fails when the registry is unavailable or the executor refuses the work.
     */
    public CompletableFuture<Scrape> scrape(String accept) {
        if (registry == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no Prometheus registry"));
        }
        String contentType = negotiate(accept);
        AtomicReference<CompletableFuture<Scrape>> inFlight = contentType.equals(OPENMETRICS) ? openMetrics : text;
        while (true) {
            CompletableFuture<Scrape> current = inFlight.get();
            if (current != null) {
                return current;
            }
            CompletableFuture<Scrape> mine = new CompletableFuture<>();
            if (!inFlight.compareAndSet(null, mine)) {
                continue;
            }
            try {
                executor.execute(() -> {
                    try {
                        mine.complete(new Scrape(contentType, render(contentType)));
                    } catch (RuntimeException | Error e) {
                        mine.completeExceptionally(e);
                    } finally {
                        inFlight.compareAndSet(mine, null);
                    }
                });
            } catch (RejectedExecutionException e) {
                inFlight.compareAndSet(mine, null);
                mine.completeExceptionally(e);
            }
            return mine;
        }
    }

    /** Renders the exposition in {@code contentType} on the calling thread. */
    public byte[] render(String contentType) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try {
            registry.scrape(out, contentType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
