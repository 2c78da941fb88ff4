package io.fanwire.server.metrics;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The heap budget of the readiness check: a node whose heap is still fuller than {@code maxRatio} of its maximum
 * right after a collection is not ready for more connections. Measured after the last GC (the collection usage
 * of the heap pools), because live data is what matters — the heap right before a collection is full by design.
 * Where the collector reports no collection usage, the current heap use stands in.
 */
public final class HeapBudget {

    /** A budget that is never exceeded. */
    public static final HeapBudget DISABLED = new HeapBudget(0, () -> new Usage(0, -1));

    /**
     * Heap use.
     *
     * @param usedAfterGcBytes heap in use after the last collection
     * @param maxBytes the most the heap may grow to; negative when unknown
     */
    public record Usage(long usedAfterGcBytes, long maxBytes) {
    }

    private final double maxRatio;
    private final Supplier<Usage> usage;

    /**
     * A budget of {@code maxRatio} (0 disables it) over {@code usage}.
     *
     * @throws IllegalArgumentException when {@code maxRatio} is not within 0..1
     */
    public HeapBudget(double maxRatio, Supplier<Usage> usage) {
        if (!(maxRatio >= 0 && maxRatio <= 1)) {
            throw new IllegalArgumentException("maxRatio: " + maxRatio + " (expected: 0-1, 0 to disable)");
        }
        this.maxRatio = maxRatio;
        this.usage = Objects.requireNonNull(usage, "usage");
    }

    /** A budget of {@code maxRatio} (0 disables it) over this JVM's heap. */
    public static HeapBudget ofJvm(double maxRatio) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP)
                .toList();
        return new HeapBudget(maxRatio, () -> jvmUsage(memory, heapPools));
    }

    /** The configured ratio; 0 when disabled. */
    public double maxRatio() {
        return maxRatio;
    }

    /** Heap used after the last collection over the maximum heap; NaN when the maximum is unknown. */
    public double usedRatio() {
        Usage now = usage.get();
        return now.maxBytes() <= 0 ? Double.NaN : (double) now.usedAfterGcBytes() / now.maxBytes();
    }

    /** Whether the budget is on and the heap after the last collection is above it. */
    public boolean exceeded() {
        return maxRatio > 0 && usedRatio() > maxRatio;
    }

    private static Usage jvmUsage(MemoryMXBean memory, List<MemoryPoolMXBean> heapPools) {
        long afterGc = 0;
        boolean reported = false;
        for (MemoryPoolMXBean pool : heapPools) {
            MemoryUsage collected = pool.isValid() ? pool.getCollectionUsage() : null;
            if (collected != null) {
                afterGc += collected.getUsed();
                reported = true;
            }
        }
        MemoryUsage heap = memory.getHeapMemoryUsage();
        long max = heap.getMax() > 0 ? heap.getMax() : Runtime.getRuntime().maxMemory();
        return new Usage(reported ? afterGc : heap.getUsed(), max);
    }
}
