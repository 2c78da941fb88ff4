package io.fanwire.microbench;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;

/**
 * JMH's worker threads, made {@link FastThreadLocalThread}s like Netty's event loops. The codecs keep scratch
 * arrays in {@code FastThreadLocal}s and the buffer allocators keep per-thread caches, both of which take a
 * slower path on plain threads; a benchmark of code that runs on event loops should run on the same kind of
 * thread. JMH instantiates this class by name ({@code -Djmh.executor=CUSTOM}); benchmarks pass the two
 * properties below with {@code @Fork(jvmArgsPrepend = ...)}, which {@code -jvmArgsAppend} on the command
 * line leaves in place.
 */
public final class EventLoopLikeExecutor extends ThreadPoolExecutor {

    static final String JMH_EXECUTOR = "-Djmh.executor=CUSTOM";
    static final String JMH_EXECUTOR_CLASS = "-Djmh.executor.class=io.fanwire.microbench.EventLoopLikeExecutor";

    /** The constructor JMH calls: {@code maxThreads} workers named after {@code prefix}. */
    public EventLoopLikeExecutor(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix + "-jmh-worker", true));
    }

    /** Fails a benchmark's setup when it was started without this executor (e.g. {@code -jvmArgsPrepend} overrode it). */
    static void requireFastThreadLocalThread() {
        if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
            throw new IllegalStateException("benchmark thread " + Thread.currentThread().getName()
                    + " is not a FastThreadLocalThread (expected: JVM options " + JMH_EXECUTOR + " "
                    + JMH_EXECUTOR_CLASS + ")");
        }
    }
}
