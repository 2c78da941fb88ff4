package io.fanwire.server.pubsub;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.server.ServerConfig.SlowConsumerPolicy;

/**
 * A topic with local subscribers: one slot of subscribers per event loop (each touched only by its loop),
 * the queue groups, and presence. Lifecycle fields and presence are guarded by the topic's monitor.
 */
final class Topic {

    final String name;
    final LoopSlot[] slots;
    /** What happens to this topic's slow subscribers. */
    final SlowConsumerPolicy policy;
    /** Guarded by {@code this}: subscribers of every loop, plain and grouped. */
    int subscribers;
    /** Guarded by {@code this}: set once the topic left the registry; a subscriber must find a new one. */
    boolean removed;
    /** Copy-on-write under {@code this}; read without a lock by publishers. */
    volatile QueueGroup[] groups = new QueueGroup[0];
    /** Guarded by {@code this}: present users. */
    final Map<String, PresenceEntry> presence = new LinkedHashMap<>();

    Topic(String name, int loops, SlowConsumerPolicy policy) {
        this.name = name;
        this.policy = policy;
        this.slots = new LoopSlot[loops];
        for (int i = 0; i < loops; i++) {
            slots[i] = new LoopSlot();
        }
    }

    /** The plain (non-grouped) subscribers of one event loop. Arrays are touched only on that loop. */
    static final class LoopSlot {
        Subscriber[] subscribers = new Subscriber[4];
        int size;
        /** Subscribers here, read by publishers to skip empty loops. */
        volatile int count;
        /** Subscribers here that want msgpack frames. */
        volatile int msgpackCount;

        void add(Subscriber s) {
            if (size == subscribers.length) {
                subscribers = Arrays.copyOf(subscribers, size * 2);
            }
            s.slotIndex = size;
            subscribers[size++] = s;
            count = size;
            if (s.msgpack) {
                msgpackCount++;
            }
        }

        void remove(Subscriber s) {
            int i = s.slotIndex;
            if (i < 0 || i >= size || subscribers[i] != s) {
                return;
            }
            Subscriber last = subscribers[--size];
            subscribers[i] = last;
            last.slotIndex = i;
            subscribers[size] = null;
            s.slotIndex = -1;
            count = size;
            if (s.msgpack) {
                msgpackCount--;
            }
        }
    }

    /** Members of one queue group; each publication goes to one of them, round-robin. */
    static final class QueueGroup {
        final String name;
        /** Copy-on-write under the topic's monitor. */
        volatile Subscriber[] members = new Subscriber[0];
        final AtomicInteger next = new AtomicInteger();

        QueueGroup(String name) {
            this.name = name;
        }
    }

    /** One present user: how many of its connections announced presence, and the latest data. */
    static final class PresenceEntry {
        ObjectNode data;
        int connections;
    }
}
