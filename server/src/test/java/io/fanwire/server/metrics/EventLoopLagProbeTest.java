package io.fanwire.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.fanwire.server.testing.Await;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.util.concurrent.DefaultEventExecutorGroup;

class EventLoopLagProbeTest {

    @Test
    void everyLoopIsProbedUnderItsIndexUntilClosed() {
        DefaultEventExecutorGroup loops = new DefaultEventExecutorGroup(2);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (EventLoopLagProbe probe = new EventLoopLagProbe(loops, registry, Duration.ofMillis(5))) {
            probe.start();

            Await.until("both loops probed three times", Duration.ofSeconds(10),
                    () -> count(registry, "0") >= 3 && count(registry, "1") >= 3);
            assertThat(registry.get("fanwire.event_loop.lag").timers()).hasSize(2);
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertThat(registry.find("fanwire.event_loop.lag").timers()).as("removed on close").isEmpty();
    }

    private static long count(SimpleMeterRegistry registry, String loop) {
        Timer timer = registry.find("fanwire.event_loop.lag").tag("loop", loop).timer();
        return timer == null ? 0 : timer.count();
    }
}
