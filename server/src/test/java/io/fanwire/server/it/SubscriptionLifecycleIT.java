package io.fanwire.server.it;

import static io.fanwire.server.testing.PubSubMessages.numbered;
import static io.fanwire.server.testing.PubSubMessages.subscribe;
import static io.fanwire.server.testing.PubSubMessages.subscribeWithPresence;
import static io.fanwire.server.testing.PubSubMessages.topicCount;
import static io.fanwire.server.testing.PubSubMessages.unsubscribe;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.TestServers;
import io.fanwire.server.testing.WsFleet;

/**
 * Subscriptions end when asked (by name, all at once, from the server side) or when the connection goes, and
 * take their presence with them. A direct send after the publications is the marker that proves nothing
 * more was delivered: a connection receives sends and publications in call order.
 */
class SubscriptionLifecycleIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private FanwireServer server;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        server = TestServers.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        server.close();
    }

    private record Connected(JdkWsClient client, UUID id) {
    }

    private Connected connect(String user) {
        JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token(user));
        clients.add(client);
        UUID id = UUID.fromString(client.nextOfType("server_ready").path("p").path("details")
                .path("connection_id").asText());
        return new Connected(client, id);
    }

    private static JsonNode request(JdkWsClient client, String json) {
        client.sendText(json);
        return client.nextOfType("subscription_update").path("p");
    }

    /** Publishes one message to each of {@code topics}, then sends a marker; returns the messages before it. */
    private List<JsonNode> publishThenMark(Connected c, String... topics) {
        for (String topic : topics) {
            server.publish(topic, numbered("pub", 0));
        }
        assertThat(server.send(c.id(), Envelope.of("marker", Envelope.newPayload()))).isTrue();
        List<JsonNode> before = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            JsonNode m = c.client().nextJson();
            if (m.path("t").asText().equals("marker")) {
                return before;
            }
            before.add(m);
        }
        throw new AssertionError("no marker within 100 messages");
    }

    private static List<String> topicsOf(List<JsonNode> messages) {
        return messages.stream().map(m -> m.path("tp").asText()).toList();
    }

    @Test
    void unsubscribingByNameStopsExactlyThoseTopics() {
        Connected c = connect("uma");
        request(c.client(), subscribe("a", "b", "c"));
        assertThat(topicsOf(publishThenMark(c, "a", "b", "c"))).containsExactly("a", "b", "c");

        JsonNode reply = request(c.client(), unsubscribe("a", "b"));
        assertThat(reply.path("success_topics").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(reply.path("failed_topics")).isEmpty();
        assertThat(topicsOf(publishThenMark(c, "a", "b", "c"))).containsExactly("c");
        assertThat(server.stats().subscriptionsActive.get()).isEqualTo(1);
        assertThat(topicCount(server)).isEqualTo(1);

        // Unsubscribing from what one does not have is answered the same way and changes nothing.
        reply = request(c.client(), unsubscribe("a", "never"));
        assertThat(reply.path("success_topics").toString()).isEqualTo("[\"a\",\"never\"]");
        assertThat(topicsOf(publishThenMark(c, "a", "c"))).containsExactly("c");
    }

    @Test
    void unsubscribingWithoutTopicsEndsEverySubscription() {
        Connected c = connect("vic");
        request(c.client(), subscribe("x", "y", "z"));
        JsonNode reply = request(c.client(), unsubscribe());
        List<String> ended = new ArrayList<>();
        reply.path("success_topics").forEach(t -> ended.add(t.asText()));
        assertThat(ended).containsExactlyInAnyOrder("x", "y", "z");
        assertThat(publishThenMark(c, "x", "y", "z")).isEmpty();
        assertThat(server.stats().subscriptionsActive.get()).isZero();
        assertThat(topicCount(server)).isZero();

        // With nothing subscribed, "all" is nothing; the request without a topics field means the same.
        c.client().sendText("{\"t\":\"subscription\",\"p\":{\"action\":\"unsubscribe\"}}");
        assertThat(c.client().nextOfType("subscription_update").path("p").path("success_topics")).isEmpty();
        request(c.client(), subscribe("x"));
        c.client().sendText("{\"t\":\"subscription\",\"p\":{\"action\":\"unsubscribe\"}}");
        assertThat(c.client().nextOfType("subscription_update").path("p").path("success_topics").toString())
                .isEqualTo("[\"x\"]");
        assertThat(publishThenMark(c, "x")).isEmpty();
    }

    @Test
    void serverSideUnsubscribeStopsDeliveries() {
        Connected c = connect("wes");
        request(c.client(), subscribe("p", "q"));
        assertThat(server.unsubscribe(c.id(), "p")).isTrue();
        assertThat(c.client().nextOfType("subscription_update").path("p").path("success_topics").toString())
                .isEqualTo("[\"p\"]");
        assertThat(topicsOf(publishThenMark(c, "p", "q"))).containsExactly("q");
        assertThat(server.unsubscribe(c.id())).isTrue();
        c.client().nextOfType("subscription_update");
        assertThat(publishThenMark(c, "p", "q")).isEmpty();
        assertThat(server.unsubscribe(UUID.randomUUID(), "p")).as("unknown connection").isFalse();
    }

    @Test
    void aConnectionThatGoesAwayTakesItsSubscriptionsAndPresence() {
        Connected watcher = connect("watcher");
        request(watcher.client(), subscribe("lobby"));
        try (WsFleet fleet = new WsFleet(server.port())) {
            // Two users, each announcing presence on two topics; one vanishes without a close handshake, the
            // other is disconnected by the server.
            WsFleet.Client vanishing = fleet.connect(TestServers.token("vanishing"));
            vanishing.nextOfType("server_ready");
            WsFleet.Client kicked = fleet.connect(TestServers.token("kicked"));
            UUID kickedId = UUID.fromString(kicked.nextOfType("server_ready").path("p").path("details")
                    .path("connection_id").asText());
            for (WsFleet.Client client : List.of(vanishing, kicked)) {
                for (String topic : List.of("lobby", "side")) {
                    client.sendText(subscribeWithPresence(topic, Envelope.newPayload().put("here", true)));
                    client.nextOfType("subscription_update");
                }
            }
            assertThat(watcher.client().nextOfType("presence_join").path("p").path("user_id").asText()).isEqualTo("vanishing");
            assertThat(watcher.client().nextOfType("presence_join").path("p").path("user_id").asText()).isEqualTo("kicked");
            assertThat(server.presence("side")).containsOnlyKeys("vanishing", "kicked");
            assertThat(server.stats().subscriptionsActive.get()).isEqualTo(5);

            vanishing.close();
            JsonNode leave = watcher.client().nextOfType("presence_leave").path("p");
            assertThat(leave.path("user_id").asText()).isEqualTo("vanishing");
            assertThat(leave.path("topic").asText()).isEqualTo("lobby");
            Await.until(TIMEOUT, () -> server.stats().subscriptionsActive.get() == 3,
                    () -> "subscriptions " + server.stats().subscriptionsActive.get());
            assertThat(server.presence("side")).containsOnlyKeys("kicked");

            assertThat(server.disconnect(kickedId, 4000, "bye")).isTrue();
            assertThat(kicked.awaitClosed(TIMEOUT)).isEqualTo(4000);
            assertThat(watcher.client().nextOfType("presence_leave").path("p").path("user_id").asText()).isEqualTo("kicked");
            Await.until(TIMEOUT, () -> server.stats().subscriptionsActive.get() == 1 && topicCount(server) == 1,
                    () -> "subscriptions " + server.stats().subscriptionsActive.get() + ", topics " + topicCount(server));
            assertThat(server.presence("side")).isEmpty();
            assertThat(server.presence("lobby")).isEmpty();
        }
        // The watcher saw no publication meant for the others and its own subscription still works.
        assertThat(topicsOf(publishThenMark(watcher, "lobby", "side"))).containsExactly("lobby");
    }
}
