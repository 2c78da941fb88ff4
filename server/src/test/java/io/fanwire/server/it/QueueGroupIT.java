package io.fanwire.server.it;

import static io.fanwire.server.testing.PubSubMessages.numbered;
import static io.fanwire.server.testing.PubSubMessages.offsets;
import static io.fanwire.server.testing.PubSubMessages.publications;
import static io.fanwire.server.testing.PubSubMessages.range;
import static io.fanwire.server.testing.PubSubMessages.subscribe;
import static io.fanwire.server.testing.PubSubMessages.subscribeInGroup;
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
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.fanwire.server.FanwireServer;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.TestServers;
import io.fanwire.server.testing.WsFleet;

/** Queue groups: one member per publication and group, round-robin; plain subscribers still get everything. */
class QueueGroupIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String TOPIC = "jobs";

    private FanwireServer server;
    private WsFleet fleet;

    @BeforeEach
    void start() {
        server = TestServers.start();
        fleet = new WsFleet(server.port());
    }

    @AfterEach
    void stop() {
        fleet.close();
        server.close();
    }

    /** A client subscribed to {@link #TOPIC} (in {@code group} unless null), with what it received so far. */
    private final class Member {
        final WsFleet.Client client;
        final List<JsonNode> got = new ArrayList<>();

        Member(String user, String group) {
            this(user, group, "/ws");
        }

        Member(String user, String group, String path) {
            client = fleet.connect(path, TestServers.token(user), 0);
            client.nextOfType("server_ready");
            client.sendText(group == null ? subscribe(TOPIC) : subscribeInGroup(group, TOPIC));
            JsonNode reply = client.nextOfType("subscription_update").path("p");
            assertThat(reply.path("success_topics").toString()).isEqualTo("[\"" + TOPIC + "\"]");
        }

        /** Takes what arrived; returns the numbers ({@code p.n}) of all publications received so far. */
        List<Integer> numbers() {
            got.addAll(publications(client.takeAll(), TOPIC));
            return got.stream().map(p -> p.path("p").path("n").asInt()).toList();
        }
    }

    private void publish(int from, int to) {
        for (int n = from; n <= to; n++) {
            server.publish(TOPIC, numbered("job", n)).toCompletableFuture().join();
        }
    }

    private static int total(List<Member> members) {
        return members.stream().mapToInt(m -> m.numbers().size()).sum();
    }

    private static List<Integer> union(List<Member> members) {
        List<Integer> all = new ArrayList<>();
        members.forEach(m -> all.addAll(m.numbers()));
        return all;
    }

    @Test
    void eachPublicationGoesToOneMemberRoundRobinAndLeaversAreCovered() {
        List<Member> workers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            workers.add(new Member("worker-" + i, "workers"));
        }
        List<Member> plain = List.of(new Member("plain-0", null), new Member("plain-1", null));

        publish(1, 30);
        Await.until(TIMEOUT, () -> plain.stream().allMatch(m -> m.numbers().size() == 30) && total(workers) == 30,
                () -> "plain subscribers got 30 each and the group 30 in all");
        for (Member m : plain) {
            assertThat(m.numbers()).isEqualTo(range(1, 30).stream().map(Long::intValue).toList());
            assertThat(offsets(m.got)).isSorted().doesNotHaveDuplicates();
        }
        assertThat(union(workers)).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(
                range(1, 30).stream().map(Long::intValue).toList());
        for (Member w : workers) {
            assertThat(w.numbers()).as("round-robin share").hasSize(10).isSorted();
            assertThat(offsets(w.got)).isSorted();
        }

        // One member leaves: the other two share what follows; the leaver gets nothing more.
        Member leaver = workers.get(0);
        leaver.client.sendText(unsubscribe(TOPIC));
        leaver.client.nextOfType("subscription_update");
        List<Member> stayers = workers.subList(1, 3);
        publish(31, 50);
        Await.until(TIMEOUT, () -> plain.stream().allMatch(m -> m.numbers().size() == 50) && total(stayers) == 40,
                () -> "plain subscribers got 50 each and the remaining members 20 more");
        assertThat(leaver.numbers()).hasSize(10).allMatch(n -> n <= 30);
        List<Integer> later = union(stayers).stream().filter(n -> n > 30).toList();
        assertThat(later).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(
                range(31, 50).stream().map(Long::intValue).toList());
        for (Member w : stayers) {
            assertThat(w.numbers().stream().filter(n -> n > 30)).as("round-robin share of two").hasSize(10);
        }

        // A member that disconnects is covered as well.
        Member gone = stayers.get(0);
        Member last = stayers.get(1);
        int lastBefore = last.numbers().size();
        gone.client.close();
        Await.until(TIMEOUT, () -> server.stats().subscriptionsActive.get() == 3,
                () -> "subscriptions " + server.stats().subscriptionsActive.get());
        int goneBefore = gone.numbers().size();
        publish(51, 60);
        Await.until(TIMEOUT, () -> plain.stream().allMatch(m -> m.numbers().size() == 60)
                && last.numbers().size() == lastBefore + 10, () -> "the last member got the last 10");
        assertThat(gone.numbers()).hasSize(goneBefore);

        // published × (plain subscribers + groups) = delivered; nothing dropped.
        Await.count("deliveries", TIMEOUT, server.stats().deliveries::sum, 60L * (plain.size() + 1));
        assertThat(server.stats().slowConsumerDrops.sum()).isZero();
    }

    @Test
    void groupsAreIndependentOfEachOther() {
        List<Member> workers = List.of(new Member("w-0", "workers"), new Member("w-1", "workers"));
        List<Member> auditors = List.of(new Member("a-0", "auditors"));

        publish(1, 12);
        Await.until(TIMEOUT, () -> total(workers) == 12 && total(auditors) == 12,
                () -> "each group got every publication once");
        assertThat(union(workers)).doesNotHaveDuplicates().hasSize(12);
        assertThat(workers.get(0).numbers()).hasSize(6);
        assertThat(auditors.get(0).numbers()).isEqualTo(range(1, 12).stream().map(Long::intValue).toList());
        Await.count("deliveries", TIMEOUT, server.stats().deliveries::sum, 24);
    }

    @Test
    void aGroupMemberThatIsAlreadyASubscriberKeepsItsSubscription() {
        Member plain = new Member("both", null);
        plain.client.sendText(subscribeInGroup("workers", TOPIC));
        JsonNode reply = plain.client.nextOfType("subscription_update").path("p");
        assertThat(reply.path("success_topics").toString()).isEqualTo("[\"" + TOPIC + "\"]");
        Member worker = new Member("worker", "workers");

        publish(1, 4);
        Await.until(TIMEOUT, () -> plain.numbers().size() == 4 && worker.numbers().size() == 4,
                () -> "the plain subscription stays plain, the group's only member gets all");
        assertThat(server.stats().subscriptionsActive.get()).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0} leaves, {1} stays")
    @CsvSource({"/ws, /ws", "/ws?format=msgpack, /ws", "/ws, /ws?format=msgpack"})
    void aMemberLeavingWhilePublicationsAreInFlightLosesNoneOfTheGroups(String leaverPath, String stayerPath)
            throws Exception {
        Member leaver = new Member("leaver", "workers", leaverPath);
        Member stayer = new Member("stayer", "workers", stayerPath);
        // Publish without pause until well after the leaver's unsubscribe took effect, so that publications
        // chosen for it before are still on their way to its event loop when it leaves.
        AtomicBoolean left = new AtomicBoolean();
        AtomicInteger count = new AtomicInteger();
        ExecutorService publisher = Executors.newSingleThreadExecutor();
        try {
            Future<?> publishing = publisher.submit(() -> {
                int after = 0;
                while (after < 500 && count.get() < 20_000) {
                    server.publish(TOPIC, numbered("job", count.incrementAndGet()));
                    if (left.get()) {
                        after++;
                    }
                }
            });
            Await.until("publishing started", TIMEOUT, () -> count.get() >= 500);
            leaver.client.sendText(unsubscribe(TOPIC));
            Await.until("the leaver left", TIMEOUT, () -> server.stats().subscriptionsActive.get() == 1);
            left.set(true);
            publishing.get(10, TimeUnit.SECONDS);
        } finally {
            publisher.shutdownNow();
            assertThat(publisher.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
        int published = count.get();
        // Every publication reached exactly one member (or was counted as dropped).
        Await.until(TIMEOUT, () -> total(List.of(leaver, stayer)) + server.stats().slowConsumerDrops.sum() >= published,
                () -> "the group received " + total(List.of(leaver, stayer)) + " of " + published + " publications, "
                        + server.stats().slowConsumerDrops.sum() + " dropped");
        List<Integer> all = union(List.of(leaver, stayer));
        assertThat(all).doesNotHaveDuplicates();
        assertThat(server.stats().slowConsumerDrops.sum()).isZero();
        assertThat(all).hasSize(published);
        Await.count("deliveries", TIMEOUT, server.stats().deliveries::sum, published);
    }
}
