package io.fanwire.server.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.fanwire.common.codec.DecodeLimits;
import io.fanwire.common.codec.JsonEnvelopeCodec;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.StreamPosition;
import io.fanwire.server.broker.Broker;
import io.fanwire.server.broker.HistoryPage;
import io.fanwire.server.broker.InMemoryBroker;

/**
 * The in-memory broker with history reads a test can hold back, as a remote broker's would be, and a record
 * of the interest the node declared, whose withdrawals can be slowed down. While held, a new subscription stays in its recovering state for as
 * long as the test wants, and publications made meanwhile reach it as live ones. The page is read either
 * when asked (so it ends before those publications) or when released (so it includes them).
 */
public final class GatedBroker implements Broker {

    private final InMemoryBroker inner;
    private final Map<String, Boolean> interest = new ConcurrentHashMap<>();
    private final List<Runnable> held = new ArrayList<>();
    private boolean holding;
    private boolean readOnRelease;
    private volatile CountDownLatch withdrawals;
    private final AtomicInteger withdrawalsHeld = new AtomicInteger();

    public GatedBroker(InMemoryBroker.Config config) {
        this.inner = new InMemoryBroker(config, new JsonEnvelopeCodec(DecodeLimits.DEFAULT));
    }

    /** Holds history reads from now on; {@code readOnRelease}: read the page at release rather than at once. */
    public synchronized void hold(boolean readOnRelease) {
        this.holding = true;
        this.readOnRelease = readOnRelease;
    }

    /** History reads waiting for {@link #release()}. */
    public synchronized int held() {
        return held.size();
    }

    /** Answers every held history read and stops holding. */
    public void release() {
        List<Runnable> answers;
        synchronized (this) {
            holding = false;
            answers = new ArrayList<>(held);
            held.clear();
        }
        answers.forEach(Runnable::run);
    }

    @Override
    public void start(PublicationListener listener) {
        inner.start(listener);
    }

    @Override
    public CompletionStage<StreamPosition> publish(String topic, Envelope message) {
        return inner.publish(topic, message);
    }

    /**
     * Makes every withdrawal of interest wait (blocking its caller, an event loop) until
     * {@link #releaseWithdrawals()}: a broker that takes a while to act on it.
     */
    public void holdWithdrawals() {
        withdrawals = new CountDownLatch(1);
    }

    /** Withdrawals of interest waiting now. */
    public int withdrawalsHeld() {
        return withdrawalsHeld.get();
    }

    /** Lets the held withdrawals of interest through. */
    public void releaseWithdrawals() {
        CountDownLatch gate = withdrawals;
        withdrawals = null;
        if (gate != null) {
            gate.countDown();
        }
    }

    @Override
    public void interest(String topic, boolean interested) {
        CountDownLatch gate = withdrawals;
        if (!interested && gate != null) {
            withdrawalsHeld.incrementAndGet();
            try {
                if (!gate.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("withdrawal of interest held for more than 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                withdrawalsHeld.decrementAndGet();
            }
        }
        interest.put(topic, interested);
        inner.interest(topic, interested);
    }

    /** What this node last declared about {@code topic}: whether it has subscribers of it. */
    public boolean interested(String topic) {
        return interest.getOrDefault(topic, false);
    }

    @Override
    public synchronized CompletionStage<HistoryPage> history(String topic, StreamPosition since, int limit) {
        if (!holding) {
            return inner.history(topic, since, limit);
        }
        CompletableFuture<HistoryPage> answer = new CompletableFuture<>();
        if (readOnRelease) {
            held.add(() -> inner.history(topic, since, limit).whenComplete((page, error) -> {
                if (error != null) {
                    answer.completeExceptionally(error);
                } else {
                    answer.complete(page);
                }
            }));
        } else {
            HistoryPage page = inner.history(topic, since, limit).toCompletableFuture().join();
            held.add(() -> answer.complete(page));
        }
        return answer;
    }

    @Override
    public BrokerStats stats() {
        return inner.stats();
    }

    @Override
    public void close() {
        releaseWithdrawals();
        release();
        inner.close();
    }
}
