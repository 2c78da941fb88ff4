package io.fanwire.server.it;

import static io.fanwire.server.testing.PubSubMessages.numbered;
import static io.fanwire.server.testing.PubSubMessages.offsets;
import static io.fanwire.server.testing.PubSubMessages.publications;
import static io.fanwire.server.testing.PubSubMessages.range;
import static io.fanwire.server.testing.PubSubMessages.subscribe;
import static io.fanwire.server.testing.PubSubMessages.subscribeRecovering;
import static io.fanwire.server.testing.PubSubMessages.topicCount;
import static io.fanwire.server.testing.PubSubMessages.unsubscribe;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.fanwire.common.protocol.StreamPosition;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.ServerConfig.PubSubConfig;
import io.fanwire.server.broker.InMemoryBroker;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.GatedBroker;
import io.fanwire.server.testing.TestServers;
import io.fanwire.server.testing.WsFleet;

/**
 * Recovery at its edges: history that no longer reaches back, and publications that arrive while a
 * subscription is being set up or recovered, which must be neither lost nor delivered twice.
 */
class RecoveryIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String TOPIC = "room";

    private FanwireServer server;
    private WsFleet fleet;

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static PubSubConfig history(int size) {
        PubSubConfig d = PubSubConfig.DEFAULT;
        return new PubSubConfig(d.maxSubscriptionsPerConnection(), d.maxTopics(), d.maxTopicNameLength(), size,
                d.historyTtl(), d.historyMemoryBytes(), d.presenceMaxMembers(), d.presenceMaxDataBytes(),
                d.slowConsumerPolicy(), d.subscribeByDefault(), d.publishByDefault());
    }

    private void start(int historySize) {
        server = TestServers.start(c -> c.pubsub(history(historySize)));
        fleet = new WsFleet(server.port());
    }

    private GatedBroker startGated(int historySize) {
        GatedBroker broker = new GatedBroker(new InMemoryBroker.Config(historySize,
                InMemoryBroker.Config.DEFAULT_HISTORY_TTL, InMemoryBroker.Config.DEFAULT_MEMORY_BUDGET_BYTES));
        server = FanwireServer.builder()
                .config(TestServers.config().pubsub(history(historySize)).build())
                .broker(broker)
                .build()
                .start();
        fleet = new WsFleet(server.port());
        return broker;
    }

    private WsFleet.Client connect(String user) {
        WsFleet.Client client = fleet.connect(TestServers.token(user));
        client.nextOfType("server_ready");
        return client;
    }

    private StreamPosition publish(int from, int to) {
        StreamPosition last = null;
        for (int n = from; n <= to; n++) {
            last = server.publish(TOPIC, numbered("msg", n)).toCompletableFuture().join();
        }
        return last;
    }

    /** The recovery result of {@link #TOPIC} in the next {@code subscription_update}. */
    private static JsonNode result(WsFleet.Client client) {
        return client.nextOfType("subscription_update").path("p").path("recovery").path(TOPIC);
    }

    @Test
    void historyReachesBackExactlyAsFarAsItKeeps() {
        start(5);
        StreamPosition last = publish(1, 20);
        String epoch = last.epoch();

        WsFleet.Client tooOld = connect("too-old");
        tooOld.sendText(subscribeRecovering(TOPIC, epoch, 14));
        JsonNode refused = result(tooOld);
        assertThat(refused.path("recovered").asBoolean()).isFalse();
        assertThat(refused.path("count").asInt()).isZero();
        assertThat(refused.path("epoch").asText()).isEqualTo(epoch);
        assertThat(refused.path("offset").asLong()).isEqualTo(20);

        WsFleet.Client justInTime = connect("just-in-time");
        justInTime.sendText(subscribeRecovering(TOPIC, epoch, 15));
        List<Long> replayed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            replayed.add(justInTime.nextJson().path("o").asLong());
        }
        assertThat(replayed).isEqualTo(range(16, 20));
        JsonNode recovered = result(justInTime);
        assertThat(recovered.path("recovered").asBoolean()).isTrue();
        assertThat(recovered.path("count").asInt()).isEqualTo(5);

        WsFleet.Client upToDate = connect("up-to-date");
        upToDate.sendText(subscribeRecovering(TOPIC, epoch, 20));
        JsonNode nothing = result(upToDate);
        assertThat(nothing.path("recovered").asBoolean()).isTrue();
        assertThat(nothing.path("count").asInt()).isZero();

        WsFleet.Client fromTheFuture = connect("from-the-future");
        fromTheFuture.sendText(subscribeRecovering(TOPIC, epoch, 25));
        assertThat(result(fromTheFuture).path("recovered").asBoolean()).isFalse();

        assertThat(server.stats().replayed.sum()).isEqualTo(5);

        // Whatever the outcome, everybody continues from the current position without a gap.
        publish(21, 22);
        for (WsFleet.Client client : List.of(tooOld, justInTime, upToDate, fromTheFuture)) {
            assertThat(client.nextJson().path("o").asLong()).isEqualTo(21);
            assertThat(client.nextJson().path("o").asLong()).isEqualTo(22);
        }
    }

    @Test
    void publicationsDuringRecoveriesAreNeitherLostNorDuplicated() throws Exception {
        start(100_000);
        publish(1, 100);
        int clients = 24;
        AtomicLong published = new AtomicLong(100);
        AtomicBoolean allSubscribed = new AtomicBoolean();
        ExecutorService publisher = Executors.newSingleThreadExecutor();
        List<WsFleet.Client> subscribers = new ArrayList<>();
        long[] since = new long[clients];
        String epoch;
        try {
            epoch = server.history(TOPIC, null, 0).toCompletableFuture().join().current().epoch();
            for (int i = 0; i < clients; i++) {
                subscribers.add(connect("r-" + i));
            }
            // Paced by a subscriber that is there all along, so that the server is busy but never swamped.
            WsFleet.Client pacer = connect("pacer");
            pacer.sendText(subscribe(TOPIC));
            pacer.nextOfType("subscription_update");
            Future<?> publishing = publisher.submit(() -> {
                // Runs until every subscription is in place, and a little longer; at most 20,000.
                int after = 0;
                while (after < 200 && published.get() < 20_000) {
                    server.publish(TOPIC, numbered("msg", (int) published.incrementAndGet())).toCompletableFuture().join();
                    if (allSubscribed.get()) {
                        after++;
                    }
                    long sent = published.get() - 100;
                    if (sent % 8 == 0) {
                        Await.until(TIMEOUT, () -> pacer.received() >= sent - 8,
                                () -> "the pacer received " + (sent - 8) + " publications");
                    }
                }
            });
            long started = published.get();
            Await.until("publishing under way", TIMEOUT, () -> published.get() > started + 200);
            // All subscribe at once while publications keep coming.
            for (int i = 0; i < clients; i++) {
                WsFleet.Client client = subscribers.get(i);
                if (i % 4 == 3) {
                    since[i] = -1;
                    client.sendText(subscribe(TOPIC));
                } else {
                    // Somewhat behind the stream, as a reconnecting client would be.
                    since[i] = Math.max(0, published.get() - 10 * (i % 4) - 5);
                    client.sendText(subscribeRecovering(TOPIC, epoch, since[i]));
                }
            }
            // A subscription that received anything besides server_ready is in place.
            Await.until(TIMEOUT, () -> subscribers.stream().allMatch(c -> c.received() > 1),
                    () -> "every subscription in place");
            allSubscribed.set(true);
            publishing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            publisher.shutdownNow();
            assertThat(publisher.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
        long last = published.get();
        assertThat(server.history(TOPIC, null, 0).toCompletableFuture().join().current().offset()).isEqualTo(last);

        for (int i = 0; i < clients; i++) {
            WsFleet.Client client = subscribers.get(i);
            List<WsFleet.Message> messages = new ArrayList<>();
            JsonNode reply = null;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            long lastSeen = -1;
            while ((lastSeen < last || reply == null) && System.nanoTime() - deadline < 0) {
                List<WsFleet.Message> taken = client.takeAll();
                if (taken.isEmpty()) {
                    LockSupport.parkNanos(1_000_000);
                }
                for (WsFleet.Message m : taken) {
                    JsonNode json = m.json();
                    if (json.path("t").asText().equals("subscription_update")) {
                        reply = json.path("p").path("recovery").path(TOPIC);
                    } else if (json.has("tp")) {
                        messages.add(m);
                        lastSeen = json.path("o").asLong();
                    }
                }
            }
            List<Long> got = offsets(publications(messages, TOPIC));
            String what = "client " + i + " since " + since[i] + " reply " + reply + " got " + got.size()
                    + " last seen " + lastSeen + " of " + last + (got.isEmpty() ? "" : " first " + got.get(0));
            assertThat(reply).as(what).isNotNull();
            assertThat(lastSeen).as(what).isEqualTo(last);
            long baseline = reply.path("offset").asLong();
            long from;
            if (since[i] >= 0) {
                assertThat(reply.path("recovered").asBoolean()).as("client %d recovered", i).isTrue();
                assertThat(reply.path("count").asLong()).isEqualTo(baseline - since[i]);
                from = since[i] + 1;
            } else {
                from = baseline + 1;
            }
            assertThat(got).as(what).isEqualTo(range(from, last));
        }
        assertThat(server.stats().slowConsumerDrops.sum()).isZero();
    }

    @ParameterizedTest(name = "history page read on release: {0}, {1}")
    @CsvSource({"false, /ws", "true, /ws", "false, /ws?format=msgpack", "true, /ws?format=msgpack"})
    void publicationsHeldBackDuringARecoveryFollowTheReplayOnce(boolean readOnRelease, String path) {
        GatedBroker broker = startGated(100);
        String epoch = publish(1, 10).epoch();
        broker.hold(readOnRelease);
        WsFleet.Client client = fleet.connect(path, TestServers.token("late"), 0);
        client.nextOfType("server_ready");
        client.sendText(subscribeRecovering(TOPIC, epoch, 4));
        Await.until("the history read is held", TIMEOUT, () -> broker.held() == 1);

        publish(11, 15);
        broker.release();
        publish(16, 16);

        List<Long> seen = new ArrayList<>();
        JsonNode reply = null;
        while (seen.size() < 12) {
            JsonNode m = client.nextJson();
            if (m.path("t").asText().equals("subscription_update")) {
                reply = m.path("p").path("recovery").path(TOPIC);
            } else {
                assertThat(m.path("tp").asText()).isEqualTo(TOPIC);
                assertThat(m.path("p").path("n").asLong()).isEqualTo(m.path("o").asLong());
                seen.add(m.path("o").asLong());
            }
        }
        assertThat(seen).isEqualTo(range(5, 16));
        if (reply == null) {
            reply = result(client);
        }
        long pageEnd = readOnRelease ? 15 : 10;
        assertThat(reply.path("recovered").asBoolean()).isTrue();
        assertThat(reply.path("offset").asLong()).isEqualTo(pageEnd);
        assertThat(reply.path("count").asLong()).isEqualTo(pageEnd - 4);
        assertThat(server.stats().replayed.sum()).isEqualTo(pageEnd - 4);
        // Replays have their own counter; live deliveries are the rest. A delivery is counted just after its
        // write: the client may have it a moment earlier.
        Await.count("deliveries", TIMEOUT, server.stats().deliveries::sum, 12 - (pageEnd - 4));
    }

    @Test
    void aNewSubscriberMissesNothingPublishedWhileItsPositionIsLookedUp() {
        GatedBroker broker = startGated(100);
        publish(1, 3);
        broker.hold(false);
        WsFleet.Client client = connect("newcomer");
        client.sendText(subscribe(TOPIC));
        Await.until("the position read is held", TIMEOUT, () -> broker.held() == 1);
        publish(4, 6);
        broker.release();
        publish(7, 7);
        JsonNode reply = null;
        List<Long> seen = new ArrayList<>();
        while (seen.size() < 4 || reply == null) {
            JsonNode m = client.nextJson();
            if (m.path("t").asText().equals("subscription_update")) {
                reply = m.path("p").path("recovery").path(TOPIC);
            } else {
                seen.add(m.path("o").asLong());
            }
        }
        assertThat(reply).isNotNull();
        assertThat(reply.path("offset").asLong()).isEqualTo(3);
        assertThat(reply.has("recovered")).isFalse();
        assertThat(seen).isEqualTo(range(4, 7));
    }

    @Test
    void publicationsBeyondWhatARecoveryCanHoldBackAreCountedOneByOne() {
        GatedBroker broker = startGated(100);
        String epoch = publish(1, 10).epoch();
        broker.hold(false);
        WsFleet.Client client = connect("overwhelmed");
        client.sendText(subscribeRecovering(TOPIC, epoch, 10));
        Await.until("the history read is held", TIMEOUT, () -> broker.held() == 1);

        int during = 1100;
        publish(11, 10 + during);
        broker.release();
        publish(11 + during, 11 + during);
        long last = 11 + during;

        List<Long> seen = new ArrayList<>();
        while (seen.isEmpty() || seen.get(seen.size() - 1) < last) {
            JsonNode m = client.nextJson();
            if (m.has("tp")) {
                seen.add(m.path("o").asLong());
            }
        }
        // What fit was delivered in order; the rest is a gap the client sees, and every lost one is counted.
        assertThat(seen).isSorted().doesNotHaveDuplicates().startsWith(11L, 12L).endsWith(last);
        long lost = (last - 10) - seen.size();
        assertThat(lost).isPositive();
        assertThat(server.stats().slowConsumerDrops.sum()).isEqualTo(lost);
        Await.count("deliveries + drops", TIMEOUT,
                () -> server.stats().deliveries.sum() + server.stats().slowConsumerDrops.sum(), last - 10);
    }

    @Test
    void unsubscribingDuringARecoveryEndsItCleanly() {
        GatedBroker broker = startGated(100);
        String epoch = publish(1, 10).epoch();
        broker.hold(false);
        WsFleet.Client client = connect("undecided");
        client.sendText(subscribeRecovering(TOPIC, epoch, 5));
        Await.until("the history read is held", TIMEOUT, () -> broker.held() == 1);
        publish(11, 13);
        client.sendText(unsubscribe(TOPIC));
        JsonNode unsubscribed = client.nextOfType("subscription_update").path("p");
        assertThat(unsubscribed.path("success_topics").toString()).isEqualTo("[\"" + TOPIC + "\"]");
        broker.release();

        // The recovery that was under way answers that the subscription ended; nothing is delivered.
        JsonNode answer = client.nextOfType("subscription_update").path("p");
        assertThat(answer.path("success_topics")).isEmpty();
        assertThat(answer.path("failed_topics").get(0).path("code").asText()).isEqualTo("INVALID_SUBSCRIPTION");
        assertThat(answer.path("failed_topics").get(0).path("reason").asText())
                .isEqualTo("unsubscribed before the subscription completed");
        publish(14, 14);
        client.sendText(subscribe("marker"));
        assertThat(client.nextJson().path("t").asText()).isEqualTo("subscription_update");
        assertThat(server.stats().deliveries.sum()).isZero();
        assertThat(server.stats().subscriptionsActive.get()).isEqualTo(1);
    }

    @Test
    void aConnectionLostDuringARecoveryLeavesNothingBehind() {
        GatedBroker broker = startGated(100);
        String epoch = publish(1, 10).epoch();
        broker.hold(false);
        WsFleet.Client client = connect("gone");
        client.sendText(subscribeRecovering(TOPIC, epoch, 5));
        Await.until("the history read is held", TIMEOUT, () -> broker.held() == 1);
        publish(11, 13);
        client.close();
        Await.until(TIMEOUT, () -> server.connectionCount() == 0 && server.stats().subscriptionsActive.get() == 0,
                () -> "connections " + server.connectionCount());
        // The held-back publications were released with the subscription (the leak gate would tell otherwise).
        broker.release();
        publish(14, 14);
        assertThat(topicCount(server)).isZero();
        assertThat(server.stats().deliveries.sum()).isZero();
    }
}
