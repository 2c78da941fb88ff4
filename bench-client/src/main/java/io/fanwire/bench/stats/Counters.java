package io.fanwire.bench.stats;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Named counters incremented from any thread. Hot paths keep the {@link LongAdder} of {@link #counter} rather
 * than looking it up by name on each event. {@link #snapshot()} lists counters in the order they were created.
 */
public final class Counters {

    private final Map<String, LongAdder> adders = new ConcurrentHashMap<>();
    private final Map<String, Boolean> order = java.util.Collections.synchronizedMap(new LinkedHashMap<>());

    /** The counter called {@code name}, created at 0 on first use. */
    public LongAdder counter(String name) {
        return adders.computeIfAbsent(name, n -> {
            order.put(n, Boolean.TRUE);
            return new LongAdder();
        });
    }

    /** Adds {@code delta} to {@code name}. */
    public void add(String name, long delta) {
        counter(name).add(delta);
    }

    /** The current value of {@code name} (0 when it was never created). */
    public long get(String name) {
        LongAdder adder = adders.get(name);
        return adder == null ? 0 : adder.sum();
    }

    /** Every counter's current value, in creation order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        synchronized (order) {
            for (String name : order.keySet()) {
                out.put(name, adders.get(name).sum());
            }
        }
        return out;
    }
}
