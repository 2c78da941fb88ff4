package io.fanwire.common.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;

/**
 * Fails a test class when Netty reports a leaked buffer while it ran. Registered for every test through
 * {@code META-INF/services} (JUnit's extension auto-detection, switched on in
 * {@code junit-platform.properties}); tests run with {@code -Dio.netty.leakDetection.level=paranoid}.
 *
 * <p>Netty reports a leak only when a collected, unreleased buffer is noticed during a later allocation,
 * so after each class the gate collects garbage and allocates until the reports have surfaced.
 */
public final class LeakGate implements AfterAllCallback {

    private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();

    static {
        // Must run before Netty creates its detectors (when buffer classes initialise); JUnit loads
        // auto-detected extensions before any test class is initialised.
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        check(context.getDisplayName(), 3);
    }

    /** Surfaces pending leak reports ({@code rounds} collections) and fails when there were any. */
    static void check(String scope, int rounds) {
        for (int round = 0; round < rounds; round++) {
            System.gc();
            io.netty.buffer.ByteBuf probe = io.netty.buffer.PooledByteBufAllocator.DEFAULT.buffer(16);
            probe.release();
            probe = io.netty.buffer.UnpooledByteBufAllocator.DEFAULT.buffer(16);
            probe.release();
            probe = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(16);
            probe.release();
        }
        List<String> found = new ArrayList<>();
        for (String leak; (leak = LEAKS.poll()) != null; ) {
            found.add(leak);
        }
        if (!found.isEmpty()) {
            throw new AssertionError("LEAK: " + found.size() + " leaked buffer(s) in "
                    + scope + ":\n" + String.join("\n\n", found));
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                   long maxActive) {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add(resourceType + " (traced):" + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add(resourceType + " (untraced)");
            super.reportUntracedLeak(resourceType);
        }
    }
}
