package io.fanwire.server.it;

import static io.fanwire.server.testing.PubSubMessages.numbered;
import static io.fanwire.server.testing.PubSubMessages.subscribe;
import static io.fanwire.server.testing.PubSubMessages.subscribeInGroup;
import static io.fanwire.server.testing.PubSubMessages.subscribeWithPresence;
import static io.fanwire.server.testing.PubSubMessages.topicCount;
import static io.fanwire.server.testing.PubSubMessages.unsubscribe;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.ServerConfig.PubSubConfig;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.TestServers;

/** Caps on subscriptions, topics, presence and request size: refused per topic with a code, and counted. */
class PubSubLimitsIT {

    private FanwireServer server;
    private final List<JdkWsClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(JdkWsClient::close);
        if (server != null) {
            server.close();
        }
    }

    /** A server whose pub/sub config is the default changed by {@code change} (a copy with other limits). */
    private void start(UnaryOperator<Limits> change) {
        Limits limits = change.apply(new Limits(PubSubConfig.DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION,
                PubSubConfig.DEFAULT_MAX_TOPICS, PubSubConfig.DEFAULT_MAX_TOPIC_NAME_LENGTH,
                PubSubConfig.DEFAULT_PRESENCE_MAX_MEMBERS, PubSubConfig.DEFAULT_PRESENCE_MAX_DATA_BYTES));
        PubSubConfig d = PubSubConfig.DEFAULT;
        PubSubConfig config = new PubSubConfig(limits.subscriptions(), limits.topics(), limits.nameLength(),
                d.historySize(), d.historyTtl(), d.historyMemoryBytes(), limits.presenceMembers(),
                limits.presenceBytes(), d.slowConsumerPolicy(), d.subscribeByDefault(), d.publishByDefault());
        server = TestServers.start(c -> c.pubsub(config));
    }

    private record Limits(int subscriptions, int topics, int nameLength, int presenceMembers, int presenceBytes) {
        Limits subscriptions(int n) {
            return new Limits(n, topics, nameLength, presenceMembers, presenceBytes);
        }

        Limits topics(int n) {
            return new Limits(subscriptions, n, nameLength, presenceMembers, presenceBytes);
        }

        Limits presence(int members, int bytes) {
            return new Limits(subscriptions, topics, nameLength, members, bytes);
        }
    }

    private JdkWsClient connect(String user) {
        JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token(user));
        clients.add(client);
        client.nextOfType("server_ready");
        return client;
    }

    private static JsonNode request(JdkWsClient client, String json) {
        client.sendText(json);
        return client.nextOfType("subscription_update").path("p");
    }

    private static List<String> succeeded(JsonNode reply) {
        List<String> out = new ArrayList<>();
        reply.path("success_topics").forEach(t -> out.add(t.asText()));
        return out;
    }

    /** Failed topics: topic → code. */
    private static Map<String, String> failed(JsonNode reply) {
        Map<String, String> out = new HashMap<>();
        reply.path("failed_topics").forEach(f -> out.put(f.path("topic").asText(), f.path("code").asText()));
        return out;
    }

    private static String reason(JsonNode reply, String topic) {
        for (JsonNode f : reply.path("failed_topics")) {
            if (f.path("topic").asText().equals(topic)) {
                return f.path("reason").asText();
            }
        }
        throw new AssertionError(topic + " did not fail in " + reply);
    }

    private long rejections(String code) {
        return server.stats().pubsubRejections.get(code);
    }

    @Test
    void subscriptionsPerConnectionAreCappedPerTopicAndCounted() {
        start(l -> l.subscriptions(3));
        JdkWsClient client = connect("many");
        JsonNode reply = request(client, subscribe("a", "b", "c", "d", "e"));
        assertThat(succeeded(reply)).containsExactly("a", "b", "c");
        assertThat(failed(reply)).containsOnly(Map.entry("d", "LIMIT_EXCEEDED"), Map.entry("e", "LIMIT_EXCEEDED"));
        assertThat(reason(reply, "d")).isEqualTo("at most 3 subscriptions per connection");
        assertThat(rejections("LIMIT_EXCEEDED")).isEqualTo(2);

        // Subscribing again to what one has is not a new subscription; a new topic still is refused.
        reply = request(client, subscribe("a", "f"));
        assertThat(succeeded(reply)).containsExactly("a");
        assertThat(failed(reply)).containsOnly(Map.entry("f", "LIMIT_EXCEEDED"));
        assertThat(rejections("LIMIT_EXCEEDED")).isEqualTo(3);

        // Room made by unsubscribing can be used; another connection has its own allowance.
        request(client, unsubscribe("b"));
        assertThat(succeeded(request(client, subscribe("f")))).containsExactly("f");
        assertThat(succeeded(request(connect("other"), subscribe("x", "y", "z")))).containsExactly("x", "y", "z");
        assertThat(server.stats().subscriptionsActive.get()).isEqualTo(6);
        assertThat(rejections("LIMIT_EXCEEDED")).isEqualTo(3);

        // A refused topic delivers nothing.
        server.publish("d", numbered("n", 1));
        server.publish("a", numbered("n", 2));
        assertThat(client.nextOfType("n").path("tp").asText()).isEqualTo("a");
    }

    @Test
    void topicsPerNodeAreCappedAndFreedWhenTheirLastSubscriberLeaves() {
        start(l -> l.topics(3));
        JdkWsClient first = connect("first");
        JdkWsClient second = connect("second");
        assertThat(succeeded(request(first, subscribe("t1", "t2", "t3")))).containsExactly("t1", "t2", "t3");
        assertThat(topicCount(server)).isEqualTo(3);

        JsonNode reply = request(second, subscribe("t4", "t1"));
        assertThat(succeeded(reply)).as("an existing topic takes no new slot").containsExactly("t1");
        assertThat(failed(reply)).containsOnly(Map.entry("t4", "LIMIT_EXCEEDED"));
        assertThat(reason(reply, "t4")).isEqualTo("too many topics on this node");
        assertThat(rejections("LIMIT_EXCEEDED")).isEqualTo(1);

        // Server-side subscriptions obey the same cap.
        UUID secondId = server.connectionsOf("second").get(0).id();
        assertThat(server.subscribe(secondId, "t5")).isTrue();
        assertThat(failed(second.nextOfType("subscription_update").path("p"))).containsOnly(Map.entry("t5", "LIMIT_EXCEEDED"));
        assertThat(rejections("LIMIT_EXCEEDED")).isEqualTo(2);

        // t1 still has a subscriber (second); t2 has none once first leaves it, which frees its slot.
        request(first, unsubscribe("t1", "t2"));
        assertThat(topicCount(server)).isEqualTo(2);
        assertThat(succeeded(request(second, subscribe("t4")))).containsExactly("t4");
        assertThat(topicCount(server)).isEqualTo(3);
        assertThat(failed(request(first, subscribe("t6")))).containsOnly(Map.entry("t6", "LIMIT_EXCEEDED"));
    }

    @Test
    void presenceMembersAreCappedPerUserNotPerConnection() {
        start(l -> l.presence(2, PubSubConfig.DEFAULT_PRESENCE_MAX_DATA_BYTES));
        ObjectNode online = Envelope.newPayload().put("status", "online");
        JdkWsClient ann1 = connect("ann");
        JdkWsClient bob = connect("bob");
        assertThat(succeeded(request(ann1, subscribeWithPresence("room", online)))).containsExactly("room");
        assertThat(succeeded(request(bob, subscribeWithPresence("room", online)))).containsExactly("room");

        JdkWsClient cat = connect("cat");
        JsonNode refused = request(cat, subscribeWithPresence("room", online));
        assertThat(failed(refused)).containsOnly(Map.entry("room", "LIMIT_EXCEEDED"));
        assertThat(reason(refused, "room")).isEqualTo("presence of this topic is full");
        assertThat(rejections("LIMIT_EXCEEDED")).isEqualTo(1);
        assertThat(server.stats().subscriptionsActive.get()).as("the refused subscription is not kept").isEqualTo(2);

        // Without presence the same user may subscribe; a second connection of a present user may announce.
        assertThat(succeeded(request(cat, subscribe("room")))).containsExactly("room");
        JdkWsClient ann2 = connect("ann");
        assertThat(succeeded(request(ann2, subscribeWithPresence("room", online)))).containsExactly("room");
        assertThat(server.presence("room")).containsOnlyKeys("ann", "bob");
        assertThat(server.presence("room").get("ann").connections()).isEqualTo(2);

        // Once a member leaves, there is room again.
        request(bob, unsubscribe("room"));
        JdkWsClient dan = connect("dan");
        assertThat(succeeded(request(dan, subscribeWithPresence("room", online)))).containsExactly("room");
        assertThat(server.presence("room")).containsOnlyKeys("ann", "dan");
    }

    @Test
    void presenceDataIsCappedInSize() {
        int max = 128;
        start(l -> l.presence(PubSubConfig.DEFAULT_PRESENCE_MAX_MEMBERS, max));
        JdkWsClient client = connect("eve");
        JsonNode refused = request(client, subscribeWithPresence("room",
                Envelope.newPayload().put("bio", "x".repeat(2 * max))));
        assertThat(failed(refused)).containsOnly(Map.entry("room", "LIMIT_EXCEEDED"));
        assertThat(reason(refused, "room")).isEqualTo("presence data larger than " + max + " bytes");
        assertThat(rejections("LIMIT_EXCEEDED")).isEqualTo(1);
        assertThat(server.stats().subscriptionsActive.get()).isZero();
        assertThat(server.presence("room")).isEmpty();

        assertThat(succeeded(request(client, subscribeWithPresence("room",
                Envelope.newPayload().put("bio", "x".repeat(max / 2)))))).containsExactly("room");
        assertThat(server.presence("room")).containsOnlyKeys("eve");

        // Updating one's presence to something too large is refused as well and keeps the old data.
        JsonNode update = request(client, subscribeWithPresence("room",
                Envelope.newPayload().put("bio", "y".repeat(2 * max))));
        assertThat(failed(update)).containsOnly(Map.entry("room", "LIMIT_EXCEEDED"));
        assertThat(server.presence("room").get("eve").data().path("bio").asText()).isEqualTo("x".repeat(max / 2));
        assertThat(server.stats().subscriptionsActive.get()).isEqualTo(1);
    }

    @Test
    void moreThan256TopicsInOneRequestAreRefusedWholeAndTheConnectionStays() {
        start(l -> l);
        JdkWsClient client = connect("greedy");
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < 257; i++) {
            topics.add("t" + i);
        }
        client.sendText(subscribe(topics.toArray(String[]::new)));
        JsonNode error = client.nextOfType("error").path("p");
        assertThat(error.path("code").asText()).isEqualTo("LIMIT_EXCEEDED");
        assertThat(error.path("message").asText()).contains("257");
        assertThat(server.stats().protocolErrors.get("LIMIT_EXCEEDED")).isEqualTo(1);
        assertThat(server.stats().subscriptionsActive.get()).isZero();

        // 256 is the most one request may name; the per-connection cap (128) then applies per topic.
        JsonNode reply = request(client, subscribe(topics.subList(0, 256).toArray(String[]::new)));
        assertThat(succeeded(reply)).hasSize(PubSubConfig.DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION);
        assertThat(failed(reply)).hasSize(256 - PubSubConfig.DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION)
                .containsValue("LIMIT_EXCEEDED").doesNotContainValue("INVALID_SUBSCRIPTION");
        assertThat(rejections("LIMIT_EXCEEDED")).isEqualTo(128);
        assertThat(server.stats().subscriptionsActive.get()).isEqualTo(128);
    }

    @Test
    void overlongTopicNamesAreInvalid() {
        start(l -> new Limits(l.subscriptions(), l.topics(), 16, l.presenceMembers(), l.presenceBytes()));
        JdkWsClient client = connect("long");
        JsonNode reply = request(client, subscribe("a".repeat(16), "b".repeat(17)));
        assertThat(succeeded(reply)).containsExactly("a".repeat(16));
        assertThat(failed(reply)).containsOnly(Map.entry("b".repeat(17), "INVALID_SUBSCRIPTION"));
        assertThat(rejections("INVALID_SUBSCRIPTION")).isEqualTo(1);
    }

    @Test
    void invalidQueueGroupNamesAreRefusedPerTopic() {
        start(l -> l);
        JdkWsClient client = connect("grouper");
        JsonNode reply = request(client, subscribeInGroup("bad group", "jobs"));
        assertThat(failed(reply)).containsOnly(Map.entry("jobs", "INVALID_SUBSCRIPTION"));
        assertThat(reason(reply, "jobs")).startsWith("queue group: ");
        reply = request(client, subscribeInGroup("g".repeat(65), "jobs"));
        assertThat(failed(reply)).containsOnly(Map.entry("jobs", "INVALID_SUBSCRIPTION"));
        assertThat(server.stats().subscriptionsActive.get()).isZero();
    }
}
