package io.fanwire.server.drain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

import org.junit.jupiter.api.Test;

import io.fanwire.server.ServerConfig.DrainConfig;
import io.fanwire.server.metrics.ServerStats;

class CallbackDispatcherTest {

    /** An executor that runs tasks only when the test says so. */
    static final class ManualExecutor implements Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable command) {
            tasks.add(command);
        }

        void runAll() {
            for (Runnable r; (r = tasks.poll()) != null; ) {
                r.run();
            }
        }
    }

    @Test
    void oneTaskPerConnectionAtATimeInOrder() {
        ServerStats stats = new ServerStats();
        ManualExecutor executor = new ManualExecutor();
        List<Integer> handled = new ArrayList<>();
        CallbackDispatcher dispatcher = new CallbackDispatcher(event -> {
            int n = ((InboundEvent.Message) event).envelope().payload().path("n").asInt();
            handled.add(n);
            if (n == 1) {
                throw new IllegalStateException("on purpose");
            }
        }, executor, new DrainConfig(100, 10, 1000), stats);
        DrainQueueTest.FakeSource source = new DrainQueueTest.FakeSource();
        for (int i = 0; i < 5; i++) {
            assertThat(dispatcher.offer(DrainQueueTest.message(i), source)).isTrue();
        }
        assertThat(executor.tasks).as("one drain task for the connection").hasSize(1);
        executor.runAll();
        assertThat(handled).containsExactly(0, 1, 2, 3, 4);
        assertThat(stats.handlerErrors.sum()).isEqualTo(1);
        assertThat(dispatcher.pending()).isZero();
    }

    @Test
    void backpressureAppliesToCallbacksToo() {
        ServerStats stats = new ServerStats();
        ManualExecutor executor = new ManualExecutor();
        CallbackDispatcher dispatcher = new CallbackDispatcher(event -> { }, executor, new DrainConfig(3, 1, 10), stats);
        DrainQueueTest.FakeSource source = new DrainQueueTest.FakeSource();
        for (int i = 0; i < 3; i++) {
            dispatcher.offer(DrainQueueTest.message(i), source);
        }
        assertThat(source.reading).isFalse();
        executor.runAll();
        assertThat(source.reading).isTrue();
    }
}
