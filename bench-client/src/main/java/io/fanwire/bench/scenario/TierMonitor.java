package io.fanwire.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import io.fanwire.bench.report.ServerResources;
import io.fanwire.bench.report.TimelineSample;
import io.fanwire.bench.scenario.ServerProbe.ResourceSample;

/**
 * Samples a tier once a second on a thread of its own (never an event loop): open connections, the client's
 * send and receive rates, errors, and the server's memory and CPU. Turns the samples into the tier's timeline
 * and {@link ServerResources}.
 */
public final class TierMonitor implements AutoCloseable {

    private final ServerProbe probe;
    private final IntSupplier connections;
    private final LongSupplier sent;
    private final LongSupplier received;
    private final LongSupplier errors;
    private final List<TimelineSample> timeline = new ArrayList<>();
    private final List<ResourceSample> samples = new ArrayList<>();
    private final ScheduledExecutorService timer;
    private final ResourceSample before;
    private final long startNanos;
    private long lastNanos;
    private long lastSent;
    private long lastReceived;
    private io.fanwire.bench.report.Progress progress;
    private String scenario;
    private java.time.Duration planned;

    /** Starts sampling now; {@code before} is the server's state before the tier's connections opened. */
    public TierMonitor(ServerProbe probe, ResourceSample before, IntSupplier connections, LongSupplier sent,
                       LongSupplier received, LongSupplier errors) {
        this.probe = probe;
        this.before = before;
        this.connections = connections;
        this.sent = sent;
        this.received = received;
        this.errors = errors;
        this.startNanos = System.nanoTime();
        this.lastNanos = startNanos;
        this.lastSent = sent.getAsLong();
        this.lastReceived = received.getAsLong();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-monitor");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Also shows the tier on {@code progress} (when not null) once a second, as {@code scenario} and a tier of the
     * open connections, with the time left of {@code planned} (null: no fixed end).
     */
    public synchronized TierMonitor progress(io.fanwire.bench.report.Progress progress, String scenario,
                                             java.time.Duration planned) {
        this.progress = progress;
        this.scenario = scenario;
        this.planned = planned;
        return this;
    }

    private synchronized void sample() {
        long now = System.nanoTime();
        long s = sent.getAsLong();
        long r = received.getAsLong();
        double seconds = Math.max(1e-9, (now - lastNanos) / 1e9);
        ResourceSample server = probe.sample();
        double cpuPercent = server.cpuPercent();
        ResourceSample previous = samples.isEmpty() ? before : samples.getLast();
        if (server.cpuSeconds() >= 0 && previous.cpuSeconds() >= 0 && server.atNanos() > previous.atNanos()) {
            cpuPercent = (server.cpuSeconds() - previous.cpuSeconds()) / ((server.atNanos() - previous.atNanos()) / 1e9) * 100;
        }
        samples.add(server);
        timeline.add(new TimelineSample((now - startNanos) / 1e9, connections.getAsInt(), (s - lastSent) / seconds,
                (r - lastReceived) / seconds, errors.getAsLong(), server.rssBytes(), cpuPercent));
        if (progress != null) {
            java.time.Duration elapsed = java.time.Duration.ofNanos(now - startNanos);
            int open = connections.getAsInt();
            progress.update(new io.fanwire.bench.report.ProgressSnapshot(scenario, open + " conns", open,
                    (s - lastSent) / seconds, (r - lastReceived) / seconds, Math.max(0, errors.getAsLong()), elapsed,
                    planned == null ? null : planned.minus(elapsed)));
        }
        lastNanos = now;
        lastSent = s;
        lastReceived = r;
    }

    /** Stops sampling; the server's resources from before to now. */
    public ServerResources finish() {
        timer.shutdownNow();
        synchronized (this) {
            if (progress != null) {
                progress.tierFinished();
            }
        }
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ResourceSample after = probe.sample();
        synchronized (this) {
            samples.add(after);
            if (before.source().equals("none") && after.source().equals("none")) {
                return null;
            }
            double cpuSeconds;
            if (before.cpuSeconds() >= 0 && after.cpuSeconds() >= 0) {
                cpuSeconds = after.cpuSeconds() - before.cpuSeconds();
            } else {
                // /metrics has only a recent usage ratio: integrate it over the samples.
                cpuSeconds = 0;
                ResourceSample prev = before;
                for (ResourceSample s : samples) {
                    if (s.cpuPercent() >= 0 && prev.atNanos() > 0) {
                        cpuSeconds += s.cpuPercent() / 100 * (s.atNanos() - prev.atNanos()) / 1e9;
                    }
                    prev = s;
                }
            }
            return new ServerResources(after.source(), before.rssBytes(), after.rssBytes(), before.heapBytes(),
                    after.heapBytes(), cpuSeconds, after.openFds());
        }
    }

    /** The samples taken so far. */
    public synchronized List<TimelineSample> timeline() {
        return List.copyOf(timeline);
    }

    /** The server's samples so far (for memory over time). */
    public synchronized List<ResourceSample> serverSamples() {
        return List.copyOf(samples);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
