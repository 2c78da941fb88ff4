package io.fanwire.server.broker;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.fanwire.common.codec.JsonEnvelopeCodec;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.StreamPosition;

/**
 * The single-node broker: stamps and delivers publications in this process, and keeps each topic's
 * recent history in a ring buffer bounded by count and age, with a global memory budget enforced by
 * evicting the least recently used streams (idle ones first).
 *
 * <p>A topic's publications are stamped and handed to the listener under that topic's lock, so the listener
 * sees them in offset order even when several threads publish at once. The listener only enqueues work on
 * event loops, so the lock is held for microseconds.
 */
public final class InMemoryBroker implements Broker {

    /** The epoch reported for a topic that has no stream (nothing published, nobody subscribed). */
    public static final String NO_EPOCH = "";

    /** What a stream costs besides its publications: the map entry, the stream and its deque. */
    static final int STREAM_OVERHEAD_BYTES = 256;
    /** What a kept publication costs besides its JSON bytes. */
    static final int PUBLICATION_OVERHEAD_BYTES = 96;

    /**
     * History bounds.
     *
     * @param historySize publications kept per topic (0: none)
     * @param historyTtl how long a publication stays in history
     * @param memoryBudgetBytes the most bytes all streams may hold before the least recently used are evicted
     */
    public record Config(int historySize, Duration historyTtl, long memoryBudgetBytes) {

        public static final int DEFAULT_HISTORY_SIZE = 100;
        public static final Duration DEFAULT_HISTORY_TTL = Duration.ofMinutes(5);
        public static final long DEFAULT_MEMORY_BUDGET_BYTES = 64L * 1024 * 1024;
        public static final Config DEFAULT =
                new Config(DEFAULT_HISTORY_SIZE, DEFAULT_HISTORY_TTL, DEFAULT_MEMORY_BUDGET_BYTES);

        public Config {
            if (historySize < 0) {
                throw new IllegalArgumentException("historySize: " + historySize + " (expected: >= 0)");
            }
            Objects.requireNonNull(historyTtl, "historyTtl");
            if (historyTtl.isNegative() || historyTtl.isZero()) {
                throw new IllegalArgumentException("historyTtl: " + historyTtl + " (expected: > 0)");
            }
            if (memoryBudgetBytes < 64 * 1024) {
                throw new IllegalArgumentException("memoryBudgetBytes: " + memoryBudgetBytes + " (expected: >= 65536)");
            }
        }
    }

    private final Config config;
    private final JsonEnvelopeCodec json;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();
    /** Topics with subscribers on this node; kept apart from the streams so it survives their eviction. */
    private final Set<String> interested = ConcurrentHashMap.newKeySet();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong historyPublications = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    private final Object evictionLock = new Object();
    private volatile PublicationListener listener;

    public InMemoryBroker(Config config, JsonEnvelopeCodec json) {
        this(config, json, System::nanoTime);
    }

    InMemoryBroker(Config config, JsonEnvelopeCodec json, LongSupplier nanoClock) {
        this.config = Objects.requireNonNull(config, "config");
        this.json = Objects.requireNonNull(json, "json");
        this.nanoClock = nanoClock;
    }

    @Override
    public void start(PublicationListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public CompletionStage<StreamPosition> publish(String topic, Envelope message) {
        PublicationListener target = listener;
        if (target == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("broker not started"));
        }
        long now = nanoClock.getAsLong();
        StreamPosition position = null;
        while (position == null) {
            Stream stream = stream(topic, now);
            synchronized (stream) {
                if (stream.evicted) {
                    continue;
                }
                long offset = stream.offset + 1;
                Envelope stamped = message.withStamp(topic, stream.epoch, offset);
                Publication publication = new Publication(topic, stream.epoch, offset, json.encodeToBytes(stamped),
                        stamped);
                stream.offset = offset;
                stream.lastUsedNanos = now;
                // History keeps the bytes only: a decoded tree costs several times its JSON, and the caller may
                // still change the payload object it handed in.
                stream.append(new Publication(topic, stream.epoch, offset, publication.json(), null), now);
                target.onPublication(publication);
                position = new StreamPosition(stream.epoch, offset);
            }
        }
        // Outside any stream's lock: eviction takes other streams' locks.
        evictIfOverBudget();
        return CompletableFuture.completedFuture(position);
    }

    @Override
    public void interest(String topic, boolean interested) {
        if (interested) {
            this.interested.add(topic);
            // Fixes the stream's epoch from the first subscription on.
            stream(topic, nanoClock.getAsLong());
            evictIfOverBudget();
        } else {
            this.interested.remove(topic);
            // A stream nobody subscribes to and nothing was kept of is only a cost: subscribing to ever new
            // names must not grow memory.
            Stream stream = streams.get(topic);
            if (stream != null) {
                synchronized (stream) {
                    if (!stream.evicted && stream.history.isEmpty() && !this.interested.contains(topic)) {
                        stream.evicted = true;
                        streams.remove(topic, stream);
                        bytes.addAndGet(-(STREAM_OVERHEAD_BYTES + 2L * topic.length()));
                    }
                }
            }
        }
    }

    @Override
    public CompletionStage<HistoryPage> history(String topic, StreamPosition since, int limit) {
        long now = nanoClock.getAsLong();
        while (true) {
            // Reading never creates a stream nobody is interested in (an API caller may ask about any name).
            Stream stream = interested.contains(topic) ? stream(topic, now) : streams.get(topic);
            if (stream == null) {
                return CompletableFuture.completedFuture(
                        new HistoryPage(new StreamPosition(NO_EPOCH, 0), List.of(), since == null));
            }
            synchronized (stream) {
                if (stream.evicted) {
                    continue;
                }
                stream.lastUsedNanos = now;
                stream.trimExpired(now);
                return CompletableFuture.completedFuture(stream.page(since, limit));
            }
        }
    }

    @Override
    public BrokerStats stats() {
        return new BrokerStats(streams.size(), historyPublications.get(), bytes.get(), evicted.get());
    }

    @Override
    public void close() {
        streams.clear();
        bytes.set(0);
        historyPublications.set(0);
    }

    private Stream stream(String topic, long now) {
        Stream existing = streams.get(topic);
        if (existing != null) {
            return existing;
        }
        return streams.computeIfAbsent(topic, t -> {
            bytes.addAndGet(STREAM_OVERHEAD_BYTES + 2L * t.length());
            return new Stream(t, newEpoch(), now);
        });
    }

    private static String newEpoch() {
        return String.format("%08x", ThreadLocalRandom.current().nextInt());
    }

    /** Evicts least recently used streams, idle ones (no subscribers here) first, until under 90 % of the budget. */
    private void evictIfOverBudget() {
        if (bytes.get() <= config.memoryBudgetBytes()) {
            return;
        }
        synchronized (evictionLock) {
            long target = config.memoryBudgetBytes() / 10 * 9;
            if (bytes.get() <= config.memoryBudgetBytes()) {
                return;
            }
            // Sort keys are copied first: publishers keep changing them, and a sort whose keys move under it
            // may throw ("Comparison method violates its general contract").
            List<Candidate> candidates = new ArrayList<>(streams.size());
            for (Stream s : streams.values()) {
                candidates.add(new Candidate(s, interested.contains(s.topic), s.lastUsedNanos));
            }
            candidates.sort(Comparator.comparing(Candidate::interested).thenComparingLong(Candidate::lastUsedNanos));
            for (Candidate candidate : candidates) {
                if (bytes.get() <= target) {
                    break;
                }
                Stream victim = candidate.stream();
                synchronized (victim) {
                    if (victim.evicted) {
                        continue;
                    }
                    victim.evicted = true;
                    streams.remove(victim.topic, victim);
                    victim.clear();
                    bytes.addAndGet(-(STREAM_OVERHEAD_BYTES + 2L * victim.topic.length()));
                    evicted.incrementAndGet();
                }
            }
        }
    }

    private record Candidate(Stream stream, boolean interested, long lastUsedNanos) {
    }

    /** One topic's stream: epoch, last offset and history. Guarded by its own monitor. */
    private final class Stream {
        final String topic;
        final String epoch;
        final ArrayDeque<Publication> history = new ArrayDeque<>();
        final ArrayDeque<Long> appendedNanos = new ArrayDeque<>();
        long offset;
        /** Written under the monitor, read without it to pick eviction victims. */
        volatile long lastUsedNanos;
        boolean evicted;

        Stream(String topic, String epoch, long now) {
            this.topic = topic;
            this.epoch = epoch;
            this.lastUsedNanos = now;
        }

        void append(Publication publication, long now) {
            if (config.historySize() == 0) {
                return;
            }
            history.addLast(publication);
            appendedNanos.addLast(now);
            account(publication, 1);
            while (history.size() > config.historySize()) {
                removeOldest();
            }
            trimExpired(now);
        }

        void trimExpired(long now) {
            long ttl = config.historyTtl().toNanos();
            while (!appendedNanos.isEmpty() && now - appendedNanos.peekFirst() > ttl) {
                removeOldest();
            }
        }

        private void removeOldest() {
            Publication oldest = history.removeFirst();
            appendedNanos.removeFirst();
            account(oldest, -1);
        }

        void clear() {
            while (!history.isEmpty()) {
                removeOldest();
            }
        }

        private void account(Publication publication, int sign) {
            bytes.addAndGet(sign * (long) (publication.json().length + PUBLICATION_OVERHEAD_BYTES));
            historyPublications.addAndGet(sign);
        }

        HistoryPage page(StreamPosition since, int limit) {
            StreamPosition current = new StreamPosition(epoch, offset);
            if (since == null) {
                return new HistoryPage(current, List.of(), true);
            }
            if (!since.epoch().equals(epoch) || since.offset() > offset) {
                return new HistoryPage(current, List.of(), false);
            }
            long missed = offset - since.offset();
            if (missed == 0) {
                return new HistoryPage(current, List.of(), true);
            }
            long oldestKept = history.isEmpty() ? offset + 1 : history.peekFirst().offset();
            if (since.offset() + 1 < oldestKept) {
                return new HistoryPage(current, List.of(), false);
            }
            List<Publication> out = new ArrayList<>((int) Math.min(missed, limit));
            for (Publication p : history) {
                if (p.offset() > since.offset()) {
                    if (out.size() == limit) {
                        break;
                    }
                    out.add(p);
                }
            }
            return new HistoryPage(current, out, out.size() == missed);
        }
    }
}
