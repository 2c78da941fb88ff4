package io.fanwire.server.it;

import static io.fanwire.server.testing.PubSubMessages.numbered;
import static io.fanwire.server.testing.PubSubMessages.publications;
import static io.fanwire.server.testing.PubSubMessages.range;
import static io.fanwire.server.testing.PubSubMessages.subscribe;
import static io.fanwire.server.testing.PubSubMessages.subscribeInGroup;
import static io.fanwire.server.testing.PubSubMessages.subscribeRecovering;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fanwire.common.protocol.StreamPosition;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.ServerConfig.ClusterConfig;
import io.fanwire.server.broker.Broker;
import io.fanwire.server.broker.BrokerUnavailableException;
import io.fanwire.server.broker.RedisBroker;
import io.fanwire.server.testing.ApiClient;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.Exposition;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.RedisProcess;
import io.fanwire.server.testing.TestServers;
import io.fanwire.server.testing.WsFleet;

/**
 * Two nodes in this JVM joined by a real {@code redis-server} that the test starts (and kills, restarts,
 * pauses): publications cross nodes once, in order, with one stamp; recovery works from any node; a Redis
 * outage keeps local fan-out going, counts what the other nodes lose and lets clients see it; a frozen Redis
 * never blocks an event loop and the publications waiting for it stay bounded.
 */
class RedisClusterIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String TOPIC = "chat.lobby";

    private RedisProcess redis;
    private final List<FanwireServer> servers = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();
    private String prefix;

    @BeforeEach
    void startRedis() {
        redis = RedisProcess.start();
        prefix = "fwtest" + Integer.toHexString(ThreadLocalRandom.current().nextInt()) + ":";
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        for (FanwireServer s : servers) {
            s.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private FanwireServer node(String id, int maxPending) {
        RedisBroker.Config broker = new RedisBroker.Config(redis.uri(), prefix, maxPending, Duration.ofSeconds(2),
                Duration.ofHours(1));
        FanwireServer server = TestServers.start(c -> c.nodeId(id).cluster(new ClusterConfig(false, broker)));
        servers.add(server);
        return server;
    }

    private WsFleet.Client subscriber(FanwireServer server, String user) {
        WsFleet fleet = new WsFleet(server.port());
        clients.add(fleet);
        WsFleet.Client client = fleet.connect(TestServers.token(user));
        client.nextOfType("server_ready");
        client.sendText(subscribe(TOPIC));
        client.nextOfType("subscription_update");
        return client;
    }

    private static StreamPosition publish(FanwireServer server, int n) {
        return server.publish(TOPIC, numbered("msg", n)).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }

    private static Broker.LinkStats link(FanwireServer server) {
        return server.brokerLink();
    }

    @Test
    void publicationsCrossNodesOnceInOrderWithOneStamp() {
        FanwireServer a = node("a", 1000);
        FanwireServer b = node("b", 1000);
        WsFleet.Client onA = subscriber(a, "alice");
        WsFleet.Client onB = subscriber(b, "bob");
        JdkWsClient independentOnB = JdkWsClient.connect(b.port(), TestServers.token("carol"));
        clients.add(independentOnB);
        independentOnB.nextOfType("server_ready");
        independentOnB.sendText(subscribe(TOPIC));
        independentOnB.nextOfType("subscription_update");

        List<StreamPosition> stamps = new ArrayList<>();
        for (int n = 1; n <= 40; n++) {
            stamps.add(publish(n % 2 == 0 ? a : b, n));
        }
        assertThat(stamps).extracting(StreamPosition::offset).isEqualTo(range(1, 40));
        assertThat(stamps).extracting(StreamPosition::epoch).containsOnly(stamps.get(0).epoch());

        for (int n = 1; n <= 40; n++) {
            StreamPosition stamp = stamps.get(n - 1);
            // Redis's script writes the stamp into the JSON: byte for byte what one node writes.
            JdkWsClient.Received raw = independentOnB.next(TIMEOUT);
            assertThat(raw.text()).isTrue();
            assertThat(raw.data()).isEqualTo("{\"tp\":\"" + TOPIC + "\",\"e\":\"" + stamp.epoch() + "\",\"o\":"
                    + stamp.offset() + ",\"c\":\"U\",\"t\":\"msg\",\"p\":{\"n\":" + n + "},\"v\":1}");
            for (JsonNode p : List.of(onA.nextJson(), onB.nextJson(), raw.json())) {
                assertThat(p.path("tp").asText()).isEqualTo(TOPIC);
                assertThat(p.path("e").asText()).isEqualTo(stamp.epoch());
                assertThat(p.path("o").asLong()).isEqualTo(stamp.offset());
                assertThat(p.path("p").path("n").asInt()).isEqualTo(n);
            }
        }
        // Exactly once: nothing more arrives.
        assertThat(onA.takeAll()).isEmpty();
        assertThat(onB.takeAll()).isEmpty();
        // The invariant per node: every publication received once, delivered to each local subscriber.
        assertThat(a.stats().deliveries.sum()).isEqualTo(40);
        assertThat(b.stats().deliveries.sum()).isEqualTo(80);
        assertThat(link(a).missedPublications()).isZero();
        assertThat(link(b).missedPublications()).isZero();
    }

    @Test
    void aQueueGroupWithMembersOnTwoNodesGetsEachPublicationOnceInTheCluster() {
        FanwireServer a = node("a", 1000);
        FanwireServer b = node("b", 1000);
        List<WsFleet.Client> members = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            FanwireServer on = i % 2 == 0 ? a : b;
            WsFleet fleet = new WsFleet(on.port());
            clients.add(fleet);
            WsFleet.Client member = fleet.connect(TestServers.token("worker-" + i));
            member.nextOfType("server_ready");
            member.sendText(subscribeInGroup("workers", TOPIC));
            member.nextOfType("subscription_update");
            members.add(member);
        }
        // A plain subscriber on each node still gets everything.
        WsFleet.Client plainOnA = subscriber(a, "alice");
        WsFleet.Client plainOnB = subscriber(b, "bob");

        int total = 200;
        for (int n = 1; n <= total; n++) {
            publish(n % 2 == 0 ? a : b, n);
        }

        List<Integer> plainA = new ArrayList<>();
        List<Integer> plainB = new ArrayList<>();
        Await.until("both plain subscribers have everything", TIMEOUT, () -> {
            publications(plainOnA.takeAll(), TOPIC).forEach(p -> plainA.add(p.path("p").path("n").asInt()));
            publications(plainOnB.takeAll(), TOPIC).forEach(p -> plainB.add(p.path("p").path("n").asInt()));
            return plainA.size() >= total && plainB.size() >= total;
        });
        assertThat(plainA).isEqualTo(range(1, total).stream().map(Long::intValue).toList());
        assertThat(plainB).isEqualTo(plainA);

        List<List<Integer>> got = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            got.add(new ArrayList<>());
        }
        Await.until("the group got every publication", TIMEOUT, () -> {
            for (int i = 0; i < members.size(); i++) {
                List<Integer> mine = got.get(i);
                publications(members.get(i).takeAll(), TOPIC).forEach(p -> mine.add(p.path("p").path("n").asInt()));
            }
            return got.stream().mapToInt(List::size).sum() >= total;
        });
        // Each node counts what the other delivered: every publication once, on the node that lost the claim.
        Await.count("queue group publications the other node delivered", TIMEOUT,
                () -> a.stats().queueGroupRemote.sum() + b.stats().queueGroupRemote.sum(), total);
        // A duplicate from the other node would have arrived by now; take anything late before checking.
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
        for (int i = 0; i < members.size(); i++) {
            List<Integer> mine = got.get(i);
            publications(members.get(i).takeAll(), TOPIC).forEach(p -> mine.add(p.path("p").path("n").asInt()));
        }
        List<Integer> all = got.stream().flatMap(List::stream).sorted().toList();
        assertThat(all).as("each publication once across the cluster")
                .isEqualTo(range(1, total).stream().map(Long::intValue).toList());
        // Both nodes' members took part, and each node counted what the other delivered.
        assertThat(got.get(0).size() + got.get(2).size()).isPositive();
        assertThat(got.get(1).size() + got.get(3).size()).isPositive();
        assertThat(a.stats().queueGroupClaimFailures.sum() + b.stats().queueGroupClaimFailures.sum()).isZero();
    }

    @Test
    void presenceAnswersForTheClusterAndItsEventsReachEveryNode() {
        FanwireServer a = node("a", 1000);
        FanwireServer b = node("b", 1000);
        String withPresence = "{\"t\":\"subscription\",\"p\":{\"topics\":[\"" + TOPIC
                + "\"],\"presence\":{\"status\":\"%s\"}}}";
        WsFleet.Client watcherOnA = subscriber(a, "watcher");

        WsFleet fleetB = new WsFleet(b.port());
        clients.add(fleetB);
        WsFleet.Client bob1 = fleetB.connect(TestServers.token("bob"));
        bob1.nextOfType("server_ready");
        bob1.sendText(withPresence.formatted("online"));
        bob1.nextOfType("subscription_update");
        // Bob joined on node b; the watcher on node a hears of it through Redis.
        JsonNode join = watcherOnA.nextOfType("presence_join").path("p");
        assertThat(join.path("user_id").asText()).isEqualTo("bob");
        assertThat(join.path("data").path("status").asText()).isEqualTo("online");

        WsFleet fleetA = new WsFleet(a.port());
        clients.add(fleetA);
        WsFleet.Client bob2 = fleetA.connect(TestServers.token("bob"));
        bob2.nextOfType("server_ready");
        bob2.sendText(withPresence.formatted("away"));
        bob2.nextOfType("subscription_update");
        assertThat(watcherOnA.nextOfType("presence_update").path("p").path("data").path("status").asText())
                .isEqualTo("away");

        // Asked on either node: one user with two connections, one on each node.
        watcherOnA.sendText("{\"t\":\"presence\",\"p\":{\"topic\":\"" + TOPIC + "\"},\"cid\":\"q\"}");
        JsonNode users = watcherOnA.nextOfType("presence_state").path("p").path("users");
        assertThat(users.path("bob").path("connections").asInt()).isEqualTo(2);
        assertThat(users.path("bob").path("data").path("status").asText()).isEqualTo("away");
        assertThat(b.clusterPresence(TOPIC).toCompletableFuture().join()).containsOnlyKeys("bob");
        assertThat(b.presence(TOPIC).get("bob").connections()).isEqualTo(1);

        // Leaving node b keeps bob present (node a holds him); leaving both makes him leave the cluster.
        bob1.close();
        Await.until("bob's connection on b is gone from the cluster's presence", TIMEOUT,
                () -> a.clusterPresence(TOPIC).toCompletableFuture().join().get("bob").connections() == 1);
        bob2.close();
        assertThat(watcherOnA.nextOfType("presence_leave").path("p").path("user_id").asText()).isEqualTo("bob");
        assertThat(a.clusterPresence(TOPIC).toCompletableFuture().join()).isEmpty();
        assertThat(a.stats().presenceSyncFailures.sum() + b.stats().presenceSyncFailures.sum()).isZero();
    }

    @Test
    void presenceThatVanishedFromRedisIsReportedAgainByTheNodesThatHoldIt() {
        FanwireServer a = node("a", 1000);
        FanwireServer b = node("b", 1000);
        WsFleet fleet = new WsFleet(b.port());
        clients.add(fleet);
        WsFleet.Client bob = fleet.connect(TestServers.token("bob"));
        bob.nextOfType("server_ready");
        bob.sendText("{\"t\":\"subscription\",\"p\":{\"topics\":[\"" + TOPIC + "\"],\"presence\":{\"x\":1}}}");
        bob.nextOfType("subscription_update");
        Await.until("bob present", TIMEOUT, () -> a.clusterPresence(TOPIC).toCompletableFuture().join().containsKey("bob"));

        // Everything in Redis is gone at once, without a disconnect: as when the nodes' liveness keys expired
        // during a long pause and another node swept their presence.
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri());
        try (var connection = client.connect()) {
            connection.sync().flushall();
        } finally {
            client.shutdown();
        }
        assertThat(a.clusterPresence(TOPIC).toCompletableFuture().join()).isEmpty();

        // Node b's next heartbeat finds its key gone and reports what it holds again.
        Await.until("bob present again", TIMEOUT,
                () -> a.clusterPresence(TOPIC).toCompletableFuture().join().containsKey("bob"));
        assertThat(a.clusterPresence(TOPIC).toCompletableFuture().join().get("bob").connections()).isEqualTo(1);
    }

    @Test
    void aClientRecoversOnAnotherNodeFromWhereItStopped() {
        FanwireServer a = node("a", 1000);
        FanwireServer b = node("b", 1000);
        WsFleet.Client onA = subscriber(a, "alice");
        for (int n = 1; n <= 10; n++) {
            publish(a, n);
        }
        JsonNode last = null;
        for (int n = 1; n <= 10; n++) {
            last = onA.nextJson();
        }
        String epoch = last.path("e").asText();
        assertThat(last.path("o").asLong()).isEqualTo(10);
        onA.close();
        for (int n = 11; n <= 20; n++) {
            publish(a, n);
        }

        // The same client, reconnected to the other node.
        JdkWsClient onB = JdkWsClient.connect(b.port(), TestServers.token("alice"));
        clients.add(onB);
        onB.nextOfType("server_ready");
        onB.sendText(subscribeRecovering(TOPIC, epoch, 10));
        List<Long> replayed = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            JsonNode p = onB.nextJson();
            assertThat(p.path("e").asText()).isEqualTo(epoch);
            replayed.add(p.path("o").asLong());
        }
        assertThat(replayed).isEqualTo(range(11, 20));
        JsonNode result = onB.nextOfType("subscription_update").path("p").path("recovery").path(TOPIC);
        assertThat(result.path("recovered").asBoolean()).isTrue();
        assertThat(result.path("count").asInt()).isEqualTo(10);
        assertThat(result.path("epoch").asText()).isEqualTo(epoch);
        assertThat(result.path("offset").asLong()).isEqualTo(20);

        // Live publications continue from there, without a gap or a duplicate.
        publish(a, 21);
        assertThat(onB.nextJson().path("o").asLong()).isEqualTo(21);
    }

    @Test
    void redisKilledAndRestartedKeepsLocalFanOutCountsTheLossAndChangesTheEpoch() {
        FanwireServer a = node("a", 1000);
        FanwireServer b = node("b", 1000);
        WsFleet.Client onA = subscriber(a, "alice");
        WsFleet.Client onB = subscriber(b, "bob");
        WsFleet.Client control = subscriber(b, "control");
        for (int n = 1; n <= 5; n++) {
            publish(a, n);
        }
        String epoch = null;
        for (int n = 1; n <= 5; n++) {
            epoch = onA.nextJson().path("e").asText();
            assertThat(onB.nextJson().path("o").asLong()).isEqualTo(n);
            assertThat(control.nextJson().path("o").asLong()).isEqualTo(n);
        }

        redis.kill();
        Await.until("node a sees Redis gone", TIMEOUT, () -> !link(a).connected());

        // Local fan-out continues, under an epoch of node a's own; node b cannot get it, and that is counted.
        StreamPosition local = publish(a, 6);
        assertThat(local.epoch()).isNotEqualTo(epoch);
        JsonNode delivered = onA.nextJson();
        assertThat(delivered.path("e").asText()).isEqualTo(local.epoch());
        assertThat(delivered.path("o").asLong()).isEqualTo(local.offset());
        assertThat(link(a).localOnlyPublications()).isEqualTo(1);
        assertThat(Exposition.scrape(a.port()).value("fanwire_broker_local_only_publications_total")).hasValue(1);

        redis.launch();
        Await.until("both nodes reconnected and resubscribed", TIMEOUT,
                () -> link(a).connected() && link(b).connected() && link(b).resubscriptions() > 0);

        // Resubscription is asynchronous: publish until b's subscriber sees the first publication after it.
        JsonNode first = null;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        int n = 7;
        while (first == null && System.nanoTime() < deadline) {
            publish(a, n++);
            List<WsFleet.Message> got = onB.takeAll();
            if (got.isEmpty()) {
                try {
                    got = List.of(onB.next(Duration.ofMillis(200)));
                } catch (AssertionError noneYet) {
                    continue;
                }
            }
            first = got.get(0).json();
        }
        assertThat(first).as("a publication after the restart reaches node b").isNotNull();
        // Redis lost the stream (no persistence): a new epoch, which tells the client to re-baseline.
        assertThat(first.path("e").asText()).isNotEqualTo(epoch).isNotEqualTo(local.epoch());
        assertThat(link(b).streamResets()).isEqualTo(1);
        Exposition metricsOfB = Exposition.scrape(b.port());
        assertThat(metricsOfB.value("fanwire_broker_stream_resets_total")).hasValue(1);
        assertThat(metricsOfB.value("fanwire_broker_connected")).hasValue(1);
        // Node a's subscriber kept getting everything, in order within each epoch, up to that same publication.
        JsonNode previous = delivered;
        JsonNode seen = null;
        while (seen == null || !(seen.path("e").equals(first.path("e")) && seen.path("o").equals(first.path("o")))) {
            seen = onA.nextJson();
            if (seen.path("e").equals(previous.path("e"))) {
                assertThat(seen.path("o").asLong()).isEqualTo(previous.path("o").asLong() + 1);
            }
            previous = seen;
        }
        JsonNode newEpoch = first.path("e");
        assertThat(control.takeAll()).allSatisfy(m -> assertThat(m.json().path("e")).isEqualTo(newEpoch));
    }

    @Test
    void aPausedRedisNeverBlocksEventLoopsAndPendingPublishesStayBounded() {
        int maxPending = 8;
        FanwireServer a = node("a", maxPending);
        WsFleet.Client onA = subscriber(a, "alice");
        publish(a, 1);
        assertThat(onA.nextJson().path("o").asLong()).isEqualTo(1);

        redis.pause();
        try {
            List<CompletableFuture<StreamPosition>> waiting = new ArrayList<>();
            int refused = 0;
            for (int n = 2; n <= 21; n++) {
                CompletableFuture<StreamPosition> f = a.publish(TOPIC, numbered("msg", n)).toCompletableFuture();
                if (f.isCompletedExceptionally()) {
                    assertThat(f).failsWithin(Duration.ZERO).withThrowableThat()
                            .withCauseInstanceOf(BrokerUnavailableException.class);
                    refused++;
                } else {
                    waiting.add(f);
                }
            }
            assertThat(waiting).hasSize(maxPending);
            assertThat(refused).isEqualTo(20 - maxPending);
            assertThat(link(a).pendingPublishes()).isEqualTo(maxPending);
            assertThat(link(a).publishOverflows()).isEqualTo(refused);

            // The event loops do not wait for Redis: a ping is answered, the API refuses with 503 at once.
            onA.sendText("{\"t\":\"ping\",\"p\":{\"timestamp\":1}}");
            assertThat(onA.nextOfType("PONG").path("p").path("client_timestamp").asLong()).isEqualTo(1);
            ApiClient.Answer answer = ApiClient.of(a.apiPort())
                    .post("/api/publish", "{\"topic\":\"" + TOPIC + "\",\"data\":{\"n\":99}}");
            assertThat(answer.status()).isEqualTo(503);
            Exposition metrics = Exposition.scrape(a.port());
            assertThat(metrics.value("fanwire_broker_pending_publishes")).hasValue(maxPending);
            assertThat(metrics.value("fanwire_broker_publish_failures_total{reason=\"overflow\"}")).hasValue(refused + 1);
        } finally {
            redis.resume();
        }
        Await.until("the waiting publications answered", TIMEOUT, () -> link(a).pendingPublishes() == 0);
        StreamPosition after = publish(a, 100);
        JsonNode last = null;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while ((last == null || last.path("o").asLong() != after.offset()) && System.nanoTime() < deadline) {
            last = onA.nextJson();
        }
        assertThat(last.path("o").asLong()).isEqualTo(after.offset());
    }
}
