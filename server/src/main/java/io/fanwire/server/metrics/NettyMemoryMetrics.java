package io.fanwire.server.metrics;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;

/**
 * Memory held by Netty's buffer allocators: {@code fanwire_netty_allocator_used_bytes{allocator,memory}} for
 * the default allocator the server's channels use ({@code adaptive} in Netty 4.2 unless
 * {@code -Dio.netty.allocator.type} says otherwise) and for {@link PooledByteBufAllocator#DEFAULT}, the pooled
 * allocator's arena counts, and the direct memory Netty allocated outside the JDK's accounting. Read at scrape
 * time from the allocators' own metric objects.
 */
public final class NettyMemoryMetrics implements MeterBinder {

    @Override
    public void bindTo(MeterRegistry registry) {
        Map<String, ByteBufAllocatorMetric> allocators = new LinkedHashMap<>();
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            allocators.put(kind(ByteBufAllocator.DEFAULT), provider.metric());
        }
        allocators.putIfAbsent("pooled", PooledByteBufAllocator.DEFAULT.metric());
        for (Map.Entry<String, ByteBufAllocatorMetric> e : allocators.entrySet()) {
            ByteBufAllocatorMetric metric = e.getValue();
            Gauge.builder("fanwire.netty.allocator.used", metric, ByteBufAllocatorMetric::usedHeapMemory)
                    .tags("allocator", e.getKey(), "memory", "heap")
                    .baseUnit("bytes")
                    .description("Memory held by a Netty buffer allocator, by allocator and kind of memory")
                    .register(registry);
            Gauge.builder("fanwire.netty.allocator.used", metric, ByteBufAllocatorMetric::usedDirectMemory)
                    .tags("allocator", e.getKey(), "memory", "direct")
                    .baseUnit("bytes")
                    .description("Memory held by a Netty buffer allocator, by allocator and kind of memory")
                    .register(registry);
        }
        PooledByteBufAllocator pooled = PooledByteBufAllocator.DEFAULT;
        Gauge.builder("fanwire.netty.allocator.arenas", pooled, p -> p.metric().numHeapArenas())
                .tags("allocator", "pooled", "memory", "heap")
                .description("Arenas of Netty's pooled allocator, by kind of memory")
                .register(registry);
        Gauge.builder("fanwire.netty.allocator.arenas", pooled, p -> p.metric().numDirectArenas())
                .tags("allocator", "pooled", "memory", "direct")
                .description("Arenas of Netty's pooled allocator, by kind of memory")
                .register(registry);
        if (PlatformDependent.usedDirectMemory() >= 0) {
            // Only when Netty counts the direct memory it allocates without the JDK's cleaner.
            Gauge.builder("fanwire.netty.direct_memory.used", () -> PlatformDependent.usedDirectMemory())
                    .baseUnit("bytes")
                    .description("Direct memory Netty allocated itself, outside the JDK's buffer pools")
                    .register(registry);
        }
    }

    private static String kind(ByteBufAllocator allocator) {
        if (allocator instanceof AdaptiveByteBufAllocator) {
            return "adaptive";
        }
        if (allocator instanceof PooledByteBufAllocator) {
            return "pooled";
        }
        if (allocator instanceof UnpooledByteBufAllocator) {
            return "unpooled";
        }
        return allocator.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }
}
