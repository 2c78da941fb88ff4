package io.fanwire.server.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.fanwire.server.broker.Broker.LinkStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The broker's link to the other nodes as meters: {@code fanwire_broker_*}. A broker of one node reports
 * connected and zeros, so dashboards and alerts work the same for one node and many.
 */
public final class BrokerMetrics implements MeterBinder, AutoCloseable {

    private final Supplier<LinkStats> link;
    private final List<Meter> meters = new ArrayList<>();
    private MeterRegistry registry;

    public BrokerMetrics(Supplier<LinkStats> link) {
        this.link = Objects.requireNonNull(link, "link");
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        this.registry = registry;
        gauge("fanwire.broker.connected", s -> s.connected() ? 1 : 0, "1 while the broker is reachable, else 0");
        gauge("fanwire.broker.pending_publishes", LinkStats::pendingPublishes,
                "Publications waiting for the broker's answer");
        counter("fanwire.broker.publish_failures", LinkStats::publishOverflows, "overflow",
                "Publications the broker did not take, by reason: overflow (too many waiting, refused at once) or "
                        + "error (failed or not answered in time)");
        counter("fanwire.broker.publish_failures", LinkStats::publishFailures, "error", null);
        counter("fanwire.broker.local_only_publications", LinkStats::localOnlyPublications, null,
                "Publications delivered on this node only while the broker was unreachable (lost to other nodes)");
        counter("fanwire.broker.missed_publications", LinkStats::missedPublications, null,
                "Publications of subscribed topics this node never received from the broker (offset jumps)");
        counter("fanwire.broker.stream_resets", LinkStats::streamResets, null,
                "Times a subscribed topic's epoch changed under this node (its stream was lost)");
        counter("fanwire.broker.reconnects", LinkStats::reconnects, null, "Connections re-established to the broker");
        counter("fanwire.broker.resubscriptions", LinkStats::resubscriptions, null,
                "Topic subscriptions renewed after a reconnect");
    }

    private void gauge(String name, ToDoubleFunction<LinkStats> value, String description) {
        meters.add(Gauge.builder(name, link, l -> value.applyAsDouble(l.get())).description(description)
                .register(registry));
    }

    private void counter(String name, ToDoubleFunction<LinkStats> value, String reason, String description) {
        FunctionCounter.Builder<Supplier<LinkStats>> builder =
                FunctionCounter.builder(name, link, l -> value.applyAsDouble(l.get()));
        if (reason != null) {
            builder.tag("reason", reason);
        }
        if (description != null) {
            builder.description(description);
        }
        meters.add(builder.register(registry));
    }

    /** Removes the meters from the registry. */
    @Override
    public synchronized void close() {
        if (registry != null) {
            meters.forEach(registry::remove);
            meters.clear();
        }
    }
}
