package io.fanwire.common.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/** Proves the gate catches a real leak, so a green build means no leak was reported. */
class LeakGateSelfTest {

    @Test
    void reportsALeakedBuffer() {
        leak();
        assertThatThrownBy(() -> LeakGate.check("self-test", 10)).hasMessageContaining("LEAK:");
    }

    private static void leak() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(64);
        buf.writeLong(42);
        // dropped without release on purpose
    }
}
