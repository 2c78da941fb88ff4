package io.fanwire.server.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fanwire.common.codec.DecodeLimits;
import io.fanwire.common.codec.JsonEnvelopeCodec;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.StreamPosition;

/** Stamping, listener order, history pages, TTL and the memory budget of the single-node broker. */
class InMemoryBrokerTest {

    private static final JsonEnvelopeCodec JSON = new JsonEnvelopeCodec(DecodeLimits.DEFAULT);

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    /** Every publication the listener saw, in the order it saw them. */
    private final List<Publication> seen = Collections.synchronizedList(new ArrayList<>());
    private InMemoryBroker broker;

    private InMemoryBroker start(int historySize, Duration ttl, long budget) {
        return start(historySize, ttl, budget, nanos::get);
    }

    private InMemoryBroker start(int historySize, Duration ttl, long budget, LongSupplier clock) {
        broker = new InMemoryBroker(new InMemoryBroker.Config(historySize, ttl, budget), JSON, clock);
        broker.start(seen::add);
        return broker;
    }

    private InMemoryBroker start() {
        return start(100, Duration.ofMinutes(5), InMemoryBroker.Config.DEFAULT_MEMORY_BUDGET_BYTES);
    }

    @AfterEach
    void close() {
        if (broker != null) {
            broker.close();
        }
    }

    private static Envelope message(int n) {
        return Envelope.of("chat_message", Envelope.newPayload().put("n", n));
    }

    private static Envelope message(int n, int paddingBytes) {
        return Envelope.of("blob", Envelope.newPayload().put("n", n).put("pad", "x".repeat(paddingBytes)));
    }

    private StreamPosition publish(String topic, Envelope message) {
        return broker.publish(topic, message).toCompletableFuture().getNow(null);
    }

    private HistoryPage history(String topic, StreamPosition since, int limit) {
        return broker.history(topic, since, limit).toCompletableFuture().getNow(null);
    }

    private static List<Long> offsets(HistoryPage page) {
        return page.publications().stream().map(Publication::offset).toList();
    }

    // ---------------------------------------------------------------- stamping

    @Test
    void stampsOffsetsFromOnePerTopicWithAStableEightHexEpoch() {
        start();
        List<StreamPosition> a = new ArrayList<>();
        List<StreamPosition> b = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            a.add(publish("a", message(i)));
            if (i <= 3) {
                b.add(publish("b", message(i)));
            }
        }
        assertThat(a).extracting(StreamPosition::offset).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(b).extracting(StreamPosition::offset).containsExactly(1L, 2L, 3L);
        String epochA = a.get(0).epoch();
        assertThat(epochA).matches("[0-9a-f]{8}");
        assertThat(a).extracting(StreamPosition::epoch).containsOnly(epochA);
        assertThat(b.get(0).epoch()).matches("[0-9a-f]{8}");
        assertThat(b).extracting(StreamPosition::epoch).containsOnly(b.get(0).epoch());
        assertThat(history("a", null, 0).current()).isEqualTo(a.get(4));
    }

    @Test
    void theListenerGetsTheStampedPublicationAsJsonAndEnvelope() throws Exception {
        start();
        StreamPosition position = publish("room", message(7));
        assertThat(seen).hasSize(1);
        Publication p = seen.get(0);
        assertThat(p.topic()).isEqualTo("room");
        assertThat(p.epoch()).isEqualTo(position.epoch());
        assertThat(p.offset()).isEqualTo(1);
        assertThat(new String(p.json(), StandardCharsets.UTF_8))
                .startsWith("{\"tp\":\"room\",\"e\":\"" + position.epoch() + "\",\"o\":1,");
        assertThat(p.envelope().stamped()).isTrue();
        Envelope decoded = JSON.decode(p.json(), 0, p.json().length);
        assertThat(decoded.topic()).isEqualTo("room");
        assertThat(decoded.offset()).isEqualTo(1);
        assertThat(decoded.payload().path("n").asInt()).isEqualTo(7);
    }

    @Test
    void refusesToPublishBeforeStart() {
        broker = new InMemoryBroker(InMemoryBroker.Config.DEFAULT, JSON);
        assertThatThrownBy(() -> broker.publish("x", message(1)).toCompletableFuture().join())
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void theListenerSeesOffsetOrderWhileSeveralThreadsPublish() throws Exception {
        start();
        int threads = 4;
        int each = 500;
        String[] topics = {"hot", "warm"};
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    List<Long> hotOffsets = new ArrayList<>();
                    assertThat(go.await(10, TimeUnit.SECONDS)).isTrue();
                    for (int i = 0; i < each; i++) {
                        long offset = broker.publish(topics[i % 2], message(i)).toCompletableFuture().join().offset();
                        if (i % 2 == 0) {
                            hotOffsets.add(offset);
                        }
                    }
                    return hotOffsets;
                }));
            }
            go.countDown();
            List<Long> hot = new ArrayList<>();
            for (Future<List<Long>> result : results) {
                hot.addAll(result.get(30, TimeUnit.SECONDS));
            }
            // Each stamp went to exactly one publisher...
            assertThat(hot).doesNotHaveDuplicates().hasSize(threads * each / 2);
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        // ...and the listener saw each topic's publications in offset order, without gaps.
        for (String topic : topics) {
            long[] order = seen.stream().filter(p -> p.topic().equals(topic)).mapToLong(Publication::offset).toArray();
            assertThat(order).containsExactly(LongStream.rangeClosed(1, threads * each / 2).toArray());
        }
    }

    // ---------------------------------------------------------------- history pages

    @Test
    void aPageWithoutASincePositionIsJustTheCurrentPosition() {
        start();
        HistoryPage empty = history("fresh", null, 10);
        assertThat(empty.current().offset()).isZero();
        assertThat(empty.current().epoch()).as("a read creates no stream").isEqualTo(InMemoryBroker.NO_EPOCH);
        assertThat(empty.publications()).isEmpty();
        assertThat(empty.complete()).isTrue();
        assertThat(broker.stats().streams()).isZero();

        broker.interest("fresh", true);
        HistoryPage subscribed = history("fresh", null, 10);
        assertThat(subscribed.current().epoch()).matches("[0-9a-f]{8}");
        StreamPosition first = publish("fresh", message(1));
        assertThat(first.epoch()).as("the stream a subscription created keeps its epoch")
                .isEqualTo(subscribed.current().epoch());
        HistoryPage now = history("fresh", null, 10);
        assertThat(now.current()).isEqualTo(first);
        assertThat(now.publications()).isEmpty();
        assertThat(now.complete()).isTrue();
    }

    @Test
    void aStreamNobodyWantsAndThatKeptNothingIsDropped() {
        start();
        for (int i = 0; i < 100; i++) {
            broker.interest("churn-" + i, true);
            broker.interest("churn-" + i, false);
        }
        assertThat(broker.stats().streams()).as("subscribing to ever new names grows nothing").isZero();
        assertThat(broker.stats().historyBytes()).isZero();
        broker.interest("kept", true);
        publish("kept", message(1));
        broker.interest("kept", false);
        assertThat(broker.stats().streams()).as("a stream with history stays for recovery").isEqualTo(1);
    }

    @Test
    void aPageInTheSameEpochHoldsEverythingAfterSince() {
        start();
        StreamPosition last = null;
        for (int i = 1; i <= 5; i++) {
            last = publish("t", message(i));
        }
        String epoch = last.epoch();
        HistoryPage page = history("t", new StreamPosition(epoch, 2), 100);
        assertThat(page.current()).isEqualTo(last);
        assertThat(offsets(page)).containsExactly(3L, 4L, 5L);
        assertThat(page.publications()).extracting(p -> new String(p.json(), java.nio.charset.StandardCharsets.UTF_8))
                .allSatisfy(json -> assertThat(json).startsWith("{\"tp\":\"t\",\"e\":\"" + epoch + "\""))
                .satisfiesExactly(j -> assertThat(j).contains("\"n\":3"), j -> assertThat(j).contains("\"n\":4"),
                        j -> assertThat(j).contains("\"n\":5"));
        assertThat(page.publications()).as("history keeps bytes, not trees").allSatisfy(p -> assertThat(p.envelope()).isNull());
        assertThat(page.complete()).isTrue();

        HistoryPage fromStart = history("t", new StreamPosition(epoch, 0), 100);
        assertThat(offsets(fromStart)).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(fromStart.complete()).isTrue();

        HistoryPage upToDate = history("t", last, 100);
        assertThat(upToDate.publications()).isEmpty();
        assertThat(upToDate.complete()).isTrue();
    }

    @Test
    void aPageOfAnotherEpochIsIncomplete() {
        start();
        StreamPosition last = publish("t", message(1));
        String other = last.epoch().equals("00000000") ? "00000001" : "00000000";
        HistoryPage page = history("t", new StreamPosition(other, 0), 100);
        assertThat(page.current()).isEqualTo(last);
        assertThat(page.publications()).isEmpty();
        assertThat(page.complete()).isFalse();
    }

    @Test
    void aPageFromBeyondTheCurrentOffsetIsIncomplete() {
        start();
        StreamPosition last = publish("t", message(1));
        HistoryPage page = history("t", new StreamPosition(last.epoch(), 5), 100);
        assertThat(page.current()).isEqualTo(last);
        assertThat(page.publications()).isEmpty();
        assertThat(page.complete()).isFalse();
    }

    @Test
    void aPageReachingBeforeTheTrimmedHistoryIsIncomplete() {
        start(3, Duration.ofMinutes(5), InMemoryBroker.Config.DEFAULT_MEMORY_BUDGET_BYTES);
        StreamPosition last = null;
        for (int i = 1; i <= 10; i++) {
            last = publish("t", message(i));
        }
        String epoch = last.epoch();
        assertThat(broker.stats().historyPublications()).isEqualTo(3);

        HistoryPage trimmed = history("t", new StreamPosition(epoch, 5), 100);
        assertThat(trimmed.publications()).isEmpty();
        assertThat(trimmed.complete()).isFalse();
        assertThat(trimmed.current()).isEqualTo(last);

        HistoryPage justKept = history("t", new StreamPosition(epoch, 7), 100);
        assertThat(offsets(justKept)).containsExactly(8L, 9L, 10L);
        assertThat(justKept.complete()).isTrue();

        HistoryPage oneTooFar = history("t", new StreamPosition(epoch, 6), 100);
        assertThat(oneTooFar.complete()).isFalse();
    }

    @Test
    void withoutHistoryOnlyAnUpToDatePositionIsComplete() {
        start(0, Duration.ofMinutes(5), InMemoryBroker.Config.DEFAULT_MEMORY_BUDGET_BYTES);
        StreamPosition last = null;
        for (int i = 1; i <= 3; i++) {
            last = publish("t", message(i));
        }
        assertThat(broker.stats().historyPublications()).isZero();
        assertThat(history("t", new StreamPosition(last.epoch(), 2), 100).complete()).isFalse();
        assertThat(history("t", last, 100).complete()).isTrue();
    }

    @Test
    void aPageCutShortByItsLimitIsIncomplete() {
        start();
        StreamPosition last = null;
        for (int i = 1; i <= 6; i++) {
            last = publish("t", message(i));
        }
        StreamPosition since = new StreamPosition(last.epoch(), 2);
        HistoryPage cut = history("t", since, 2);
        assertThat(offsets(cut)).containsExactly(3L, 4L);
        assertThat(cut.complete()).isFalse();

        HistoryPage exact = history("t", since, 4);
        assertThat(offsets(exact)).containsExactly(3L, 4L, 5L, 6L);
        assertThat(exact.complete()).isTrue();

        HistoryPage none = history("t", since, 0);
        assertThat(none.publications()).isEmpty();
        assertThat(none.complete()).isFalse();
    }

    @Test
    void publicationsOlderThanTheTtlLeaveHistory() {
        start(100, Duration.ofSeconds(10), InMemoryBroker.Config.DEFAULT_MEMORY_BUDGET_BYTES);
        for (int i = 1; i <= 3; i++) {
            publish("t", message(i));
        }
        nanos.addAndGet(Duration.ofSeconds(5).toNanos());
        StreamPosition last = null;
        for (int i = 4; i <= 5; i++) {
            last = publish("t", message(i));
        }
        String epoch = last.epoch();
        assertThat(offsets(history("t", new StreamPosition(epoch, 0), 100))).containsExactly(1L, 2L, 3L, 4L, 5L);

        // Exactly at the TTL a publication is still kept; one nanosecond later it is gone.
        nanos.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(history("t", new StreamPosition(epoch, 0), 100).complete()).isTrue();
        nanos.incrementAndGet();
        HistoryPage expired = history("t", new StreamPosition(epoch, 0), 100);
        assertThat(expired.complete()).isFalse();
        assertThat(expired.publications()).isEmpty();
        HistoryPage recent = history("t", new StreamPosition(epoch, 3), 100);
        assertThat(offsets(recent)).containsExactly(4L, 5L);
        assertThat(recent.complete()).isTrue();
        assertThat(broker.stats().historyPublications()).isEqualTo(2);

        nanos.addAndGet(Duration.ofSeconds(60).toNanos());
        assertThat(history("t", new StreamPosition(epoch, 3), 100).complete()).isFalse();
        assertThat(history("t", last, 100).complete()).as("nothing missed, nothing needed").isTrue();
        assertThat(history("t", null, 0).current()).as("expiry keeps the stream and its epoch").isEqualTo(last);
        assertThat(broker.stats().historyPublications()).isZero();
        assertThat(broker.stats().historyBytes()).isEqualTo(InMemoryBroker.STREAM_OVERHEAD_BYTES + 2L);
    }

    // ---------------------------------------------------------------- memory budget

    /** Bytes one {@link #message(int, int)} publication of {@code topic} costs in history. */
    private static long cost(String topic, int paddingBytes) {
        byte[] json = JSON.encodeToBytes(message(1, paddingBytes).withStamp(topic, "00000000", 1));
        return json.length + InMemoryBroker.PUBLICATION_OVERHEAD_BYTES;
    }

    @Test
    void statsCountStreamsPublicationsAndBytes() {
        start();
        assertThat(broker.stats()).isEqualTo(new Broker.BrokerStats(0, 0, 0, 0));
        publish("ab", message(1, 100));
        publish("ab", message(2, 100));
        publish("cde", message(1, 100));
        Broker.BrokerStats stats = broker.stats();
        assertThat(stats.streams()).isEqualTo(2);
        assertThat(stats.historyPublications()).isEqualTo(3);
        long expected = 2L * InMemoryBroker.STREAM_OVERHEAD_BYTES + 2 * 2 + 2 * 3
                + seen.stream().mapToLong(p -> p.json().length + InMemoryBroker.PUBLICATION_OVERHEAD_BYTES).sum();
        assertThat(stats.historyBytes()).isEqualTo(expected);
        assertThat(stats.evictedStreams()).isZero();
    }

    @Test
    void theBudgetEvictsStreamsWithoutInterestFirstAndAnEvictedStreamRestartsWithANewEpoch() {
        long budget = 64 * 1024;
        start(100, Duration.ofMinutes(5), budget);
        int pad = 900;
        long each = cost("kept", pad);
        int perTopic = (int) (budget / 3 / each);

        broker.interest("kept", true);
        StreamPosition kept = null;
        for (int i = 1; i <= perTopic; i++) {
            kept = publish("kept", message(i, pad));
        }
        nanos.addAndGet(1_000);
        StreamPosition idle = null;
        for (int i = 1; i <= perTopic; i++) {
            idle = publish("idle", message(i, pad));
        }
        nanos.addAndGet(1_000);
        // "kept" is now the least recently used stream, but it has subscribers here: "idle" must go first.
        for (int i = 1; broker.stats().evictedStreams() == 0; i++) {
            assertThat(i).as("publications until the budget is exceeded").isLessThan(3 * perTopic);
            publish("fresh", message(i, pad));
        }
        assertThat(broker.stats().evictedStreams()).isEqualTo(1);
        assertThat(broker.stats().historyBytes()).isLessThanOrEqualTo(budget / 10 * 9);
        assertThat(broker.stats().streams()).isEqualTo(2);

        HistoryPage keptPage = history("kept", new StreamPosition(kept.epoch(), 0), 1000);
        assertThat(keptPage.current()).isEqualTo(kept);
        assertThat(keptPage.complete()).isTrue();

        StreamPosition restarted = publish("idle", message(1, pad));
        assertThat(restarted.offset()).isEqualTo(1);
        assertThat(restarted.epoch()).matches("[0-9a-f]{8}").isNotEqualTo(idle.epoch());
        HistoryPage stale = history("idle", idle, 1000);
        assertThat(stale.complete()).as("a client of the old epoch must re-baseline").isFalse();
        assertThat(stale.current()).isEqualTo(restarted);
    }

    @Test
    void interestSurvivesTheEvictionOfAStream() {
        long budget = 64 * 1024;
        start(100, Duration.ofMinutes(5), budget);
        int pad = 900;
        long each = cost("a", pad);
        int perTopic = (int) (budget / 3 / each);

        // Both topics have subscribers here; "a" is the least recently used, so it is evicted.
        broker.interest("a", true);
        broker.interest("b", true);
        for (int i = 1; i <= perTopic; i++) {
            publish("a", message(i, pad));
        }
        nanos.addAndGet(1_000);
        for (int i = 1; broker.stats().evictedStreams() == 0; i++) {
            assertThat(i).isLessThan(4 * perTopic);
            publish("b", message(i, pad));
        }
        assertThat(history("a", null, 0).current().offset()).as("a was evicted").isZero();

        // The subscribers of "a" are still here; its new stream must still count as wanted.
        nanos.addAndGet(1_000);
        StreamPosition a = publish("a", message(1, pad));
        nanos.addAndGet(1_000);
        long evicted = broker.stats().evictedStreams();
        for (int i = 1; broker.stats().evictedStreams() == evicted; i++) {
            assertThat(i).isLessThan(4 * perTopic);
            publish("nobody-" + (i % 8), message(i, pad));
        }
        assertThat(history("a", null, 0).current()).as("a kept its stream and epoch").isEqualTo(a);
    }

    @Test
    void publishingFromSeveralThreadsWhileStreamsAreEvictedNeverFails() throws Exception {
        // Thousands of streams, a budget that keeps evicting, and publishers changing recency under the
        // eviction's sort: a sort reading moving keys threw "Comparison method violates its general contract".
        long budget = 1024 * 1024;
        start(1, Duration.ofMinutes(5), budget, System::nanoTime);
        int threads = 4;
        int each = 100_000;
        int topics = 3_000;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        LongAdder listened = new LongAdder();
        broker.start(p -> listened.increment());
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                results.add(pool.submit(() -> {
                    assertThat(go.await(10, TimeUnit.SECONDS)).isTrue();
                    Envelope message = message(me, 300);
                    for (int i = 0; i < each; i++) {
                        String topic = "t" + ((i * 31 + me * 7919) % topics);
                        broker.publish(topic, message).toCompletableFuture().join();
                        if (i % 1000 == 0) {
                            broker.interest(topic, i % 2000 == 0);
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> result : results) {
                result.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        Broker.BrokerStats stats = broker.stats();
        assertThat(listened.sum()).isEqualTo((long) threads * each);
        assertThat(stats.evictedStreams()).isPositive();
        assertThat(stats.historyBytes()).isPositive().isLessThanOrEqualTo(budget);
    }
}
