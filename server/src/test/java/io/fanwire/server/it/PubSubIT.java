package io.fanwire.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.StreamPosition;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.testing.Exposition;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.TestServers;

/** Subscriptions, stamped fan-out, client publish with ACL, recovery and presence over real connections. */
class PubSubIT {

    private static FanwireServer server;

    @BeforeAll
    static void start() {
        server = TestServers.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JdkWsClient connect(String user, Map<String, ?> claims) {
        JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token(user, Duration.ofHours(1), claims));
        client.nextOfType("server_ready");
        return client;
    }

    private static JsonNode subscribe(JdkWsClient client, String json) {
        client.sendText(json);
        return client.nextOfType("subscription_update").path("p");
    }

    private static Envelope chat(int n) {
        return Envelope.of("chat_message", Envelope.newPayload().put("n", n));
    }

    @Test
    void publicationsReachEverySubscriberStampedInOrder() {
        try (JdkWsClient a = connect("alice", Map.of()); JdkWsClient b = connect("bob", Map.of())) {
            JsonNode reply = subscribe(a, "{\"t\":\"subscription\",\"p\":{\"action\":\"subscribe\",\"topics\":[\"room-1\"]},\"cid\":\"s1\"}");
            assertThat(reply.path("success_topics")).hasSize(1);
            String epoch = reply.path("recovery").path("room-1").path("epoch").asText();
            assertThat(epoch).hasSize(8);
            subscribe(b, "{\"t\":\"subscription\",\"p\":{\"topics\":[\"room-1\"]}}");
            for (int i = 1; i <= 20; i++) {
                server.publish("room-1", chat(i));
            }
            for (JdkWsClient client : List.of(a, b)) {
                long expected = reply.path("recovery").path("room-1").path("offset").asLong() + 1;
                for (int i = 1; i <= 20; i++) {
                    JdkWsClient.Received r = client.next(Duration.ofSeconds(5));
                    assertThat(r.data()).startsWith("{\"tp\":\"room-1\",\"e\":\"" + epoch + "\",\"o\":");
                    JsonNode pub = r.json();
                    assertThat(pub.path("o").asLong()).isEqualTo(expected++);
                    assertThat(pub.path("t").asText()).isEqualTo("chat_message");
                    assertThat(pub.path("p").path("n").asInt()).isEqualTo(i);
                }
            }
        }
    }

    @Test
    void clientPublishFollowsThePublishAcl() {
        Exposition before = Exposition.scrape(server.port());
        try (JdkWsClient reader = connect("reader", Map.of());
             JdkWsClient writer = connect("writer", Map.of("fanwire_publish", Map.of("allow", List.of("news.*"))))) {
            subscribe(reader, "{\"t\":\"subscription\",\"p\":{\"topics\":[\"news.eu\"]}}");
            reader.sendText("{\"t\":\"publish\",\"p\":{\"topic\":\"news.eu\",\"data\":{\"x\":1}},\"cid\":\"p0\"}");
            JsonNode denied = reader.nextOfType("error");
            assertThat(denied.path("p").path("code").asText()).isEqualTo("FORBIDDEN");
            assertThat(denied.path("cid").asText()).isEqualTo("p0");

            writer.sendText("{\"t\":\"publish\",\"p\":{\"topic\":\"news.eu\",\"type\":\"headline\",\"data\":{\"x\":2}},\"cid\":\"p1\"}");
            JsonNode ack = writer.nextOfType("publish_ack");
            assertThat(ack.path("cid").asText()).isEqualTo("p1");
            assertThat(ack.path("p").path("offset").asLong()).isPositive();
            JsonNode got = reader.nextOfType("headline");
            assertThat(got.path("p").path("x").asInt()).isEqualTo(2);
            assertThat(got.path("o").asLong()).isEqualTo(ack.path("p").path("offset").asLong());

            writer.sendText("{\"t\":\"publish\",\"p\":{\"topic\":\"sports\",\"data\":{}},\"cid\":\"p2\"}");
            assertThat(writer.nextOfType("error").path("p").path("code").asText()).isEqualTo("FORBIDDEN");
        }
        assertThat(rejections(before, "FORBIDDEN")).as("refused publications").isEqualTo(2);
    }

    @Test
    void subscribeAclAndGrammarFailuresArePerTopic() {
        Exposition before = Exposition.scrape(server.port());
        try (JdkWsClient c = connect("carol", Map.of("fanwire_topics",
                Map.of("allow", List.of("public.*", "secret.*"), "deny", List.of("secret.*"))))) {
            JsonNode reply = subscribe(c, "{\"t\":\"subscription\",\"p\":{\"topics\":[\"public.a\",\"secret.b\",\"other\",\"bad topic\",\"caf\\u00e9\"]}}");
            assertThat(reply.path("success_topics").toString()).isEqualTo("[\"public.a\"]");
            Map<String, String> codes = new java.util.HashMap<>();
            reply.path("failed_topics").forEach(f -> codes.put(f.path("topic").asText(), f.path("code").asText()));
            assertThat(codes).containsEntry("secret.b", "FORBIDDEN").containsEntry("other", "FORBIDDEN")
                    .containsEntry("bad topic", "INVALID_SUBSCRIPTION").containsEntry("caf\u00e9", "INVALID_SUBSCRIPTION");
        }
        assertThat(rejections(before, "FORBIDDEN")).as("topics outside the ACL").isEqualTo(2);
        assertThat(rejections(before, "INVALID_SUBSCRIPTION")).as("invalid topic names").isEqualTo(2);
    }

    /** How much {@code fanwire_pubsub_rejections_total} of {@code code} moved since {@code before}. */
    private static double rejections(Exposition before, String code) {
        String series = "fanwire_pubsub_rejections_total{code=\"" + code + "\"}";
        return Exposition.scrape(server.port()).value(series).orElse(0) - before.value(series).orElse(0);
    }

    @Test
    void reconnectingClientRecoversWhatItMissed() throws Exception {
        String topic = "recover-me";
        JsonNode baseline;
        try (JdkWsClient first = connect("dora", Map.of())) {
            baseline = subscribe(first, "{\"t\":\"subscription\",\"p\":{\"topics\":[\"" + topic + "\"]}}")
                    .path("recovery").path(topic);
            for (int i = 1; i <= 3; i++) {
                server.publish(topic, chat(i)).toCompletableFuture().get();
            }
            for (int i = 1; i <= 3; i++) {
                assertThat(first.nextOfType("chat_message").path("p").path("n").asInt()).isEqualTo(i);
            }
        }
        String epoch = baseline.path("epoch").asText();
        long seen = baseline.path("offset").asLong() + 3;
        for (int i = 4; i <= 8; i++) {
            server.publish(topic, chat(i)).toCompletableFuture().get();
        }
        try (JdkWsClient again = connect("dora", Map.of())) {
            again.sendText("{\"t\":\"subscription_update\",\"p\":{\"action\":\"subscribe\",\"topics\":[\"" + topic
                    + "\"],\"recover\":true,\"recovery\":{\"" + topic + "\":{\"epoch\":\"" + epoch + "\",\"offset\":" + seen + "}}}}");
            for (int i = 4; i <= 8; i++) {
                JsonNode replayed = again.nextOfType("chat_message");
                assertThat(replayed.path("p").path("n").asInt()).isEqualTo(i);
                assertThat(replayed.path("o").asLong()).isEqualTo(seen + i - 3);
                assertThat(replayed.path("e").asText()).isEqualTo(epoch);
            }
            JsonNode result = again.nextOfType("subscription_update").path("p").path("recovery").path(topic);
            assertThat(result.path("recovered").asBoolean()).isTrue();
            assertThat(result.path("count").asInt()).isEqualTo(5);
            assertThat(result.path("offset").asLong()).isEqualTo(seen + 5);
        }
        try (JdkWsClient stale = connect("dora", Map.of())) {
            stale.sendText("{\"t\":\"subscription_update\",\"p\":{\"action\":\"subscribe\",\"topics\":[\"" + topic
                    + "\"],\"recover\":true,\"recovery\":{\"" + topic + "\":{\"epoch\":\"deadbeef\",\"offset\":1}}}}");
            JsonNode result = stale.nextOfType("subscription_update").path("p").path("recovery").path(topic);
            assertThat(result.path("recovered").asBoolean()).isFalse();
            assertThat(result.path("count").asInt()).isZero();
            assertThat(result.path("epoch").asText()).isEqualTo(epoch);
        }
        StreamPosition position = server.history(topic, null, 0).toCompletableFuture().get().current();
        assertThat(position.offset()).isEqualTo(seen + 5);
    }

    @Test
    void presenceJoinsOnFirstConnectionAndLeavesOnLast() {
        String sub = "{\"t\":\"subscription\",\"p\":{\"topics\":[\"lobby\"],\"presence\":{\"status\":\"%s\"}}}";
        try (JdkWsClient watcher = connect("watcher", Map.of())) {
            subscribe(watcher, "{\"t\":\"subscription\",\"p\":{\"topics\":[\"lobby\"]}}");
            JdkWsClient alice1 = connect("alice", Map.of());
            subscribe(alice1, sub.formatted("online"));
            JsonNode join = watcher.nextOfType("presence_join").path("p");
            assertThat(join.path("user_id").asText()).isEqualTo("alice");
            assertThat(join.path("data").path("status").asText()).isEqualTo("online");

            JdkWsClient alice2 = connect("alice", Map.of());
            subscribe(alice2, sub.formatted("away"));
            assertThat(watcher.nextOfType("presence_update").path("p").path("data").path("status").asText()).isEqualTo("away");

            watcher.sendText("{\"t\":\"presence\",\"p\":{\"topic\":\"lobby\"},\"cid\":\"q\"}");
            JsonNode state = watcher.nextOfType("presence_state");
            assertThat(state.path("cid").asText()).isEqualTo("q");
            assertThat(state.path("p").path("users").path("alice").path("connections").asInt()).isEqualTo(2);
            assertThat(server.presence("lobby")).containsKey("alice");

            alice1.sendClose(1000, "bye");
            alice1.awaitCloseCode(Duration.ofSeconds(5));
            alice1.close();
            alice2.sendText("{\"t\":\"subscription\",\"p\":{\"action\":\"unsubscribe\",\"topics\":[\"lobby\"]}}");
            alice2.nextOfType("subscription_update");
            JsonNode leave = watcher.nextOfType("presence_leave").path("p");
            assertThat(leave.path("user_id").asText()).isEqualTo("alice");
            assertThat(server.presence("lobby")).doesNotContainKey("alice");
            alice2.close();
        }
    }

    @Test
    void serverSideSubscribeAndMsgpackSubscribers() throws Exception {
        try (JdkWsClient json = JdkWsClient.connect(server.port(), TestServers.token("erin"));
             JdkWsClient pack = JdkWsClient.connect(java.net.URI.create("ws://127.0.0.1:" + server.port() + "/ws?format=msgpack"),
                     Map.of("Authorization", "Bearer " + TestServers.token("frank")))) {
            String id = json.nextJson().path("p").path("details").path("connection_id").asText();
            assertThat(server.subscribe(java.util.UUID.fromString(id), "server-side")).isTrue();
            assertThat(json.nextOfType("subscription_update").path("p").path("success_topics").get(0).asText())
                    .isEqualTo("server-side");
            JdkWsClient.Received ready = pack.next(Duration.ofSeconds(5));
            assertThat(ready.data()).startsWith("M:");
            pack.sendText("{\"t\":\"subscription\",\"p\":{\"topics\":[\"server-side\"]}}");
            JdkWsClient.Received update = pack.next(Duration.ofSeconds(5));
            assertThat(update.data()).startsWith("M:");
            server.publish("server-side", chat(7)).toCompletableFuture().get();
            assertThat(json.nextOfType("chat_message").path("p").path("n").asInt()).isEqualTo(7);
            JdkWsClient.Received packed = pack.next(Duration.ofSeconds(5));
            assertThat(packed.text()).isFalse();
            assertThat(packed.data()).startsWith("M:");
            assertThat(packed.data()).contains("server-side").contains("chat_message");
        }
    }

    @Test
    void aPublisherSubscribedToItsTopicSeesItsPublicationBeforeTheAck() {
        try (JdkWsClient c = connect("gus", Map.of("fanwire_publish", Map.of("allow", List.of("echo-room"))))) {
            subscribe(c, "{\"t\":\"subscription\",\"p\":{\"topics\":[\"echo-room\"]}}");
            for (int i = 0; i < 20; i++) {
                c.sendText("{\"t\":\"publish\",\"p\":{\"topic\":\"echo-room\",\"type\":\"note\",\"data\":{\"i\":" + i
                        + "}},\"cid\":\"c" + i + "\"}");
                JsonNode first = c.nextJson();
                assertThat(first.path("t").asText()).as("publication first").isEqualTo("note");
                JsonNode second = c.nextJson();
                assertThat(second.path("t").asText()).isEqualTo("publish_ack");
                assertThat(second.path("p").path("offset").asLong()).isEqualTo(first.path("o").asLong());
            }
        }
    }

    @Test
    void clientsCannotPublishProtocolTypesNorEmptyTypes() {
        try (JdkWsClient c = connect("hal", Map.of("fanwire_publish", Map.of("allow", List.of("*"))))) {
            c.sendText("{\"t\":\"publish\",\"p\":{\"topic\":\"x\",\"type\":\"presence_join\"},\"cid\":\"r\"}");
            JsonNode reserved = c.nextOfType("error");
            assertThat(reserved.path("p").path("code").asText()).isEqualTo("INVALID_MESSAGE");
            assertThat(reserved.path("cid").asText()).isEqualTo("r");
            c.sendText("{\"t\":\"publish\",\"p\":{\"topic\":\"x\",\"type\":\"\"},\"cid\":\"e\"}");
            JsonNode empty = c.nextOfType("error");
            assertThat(empty.path("p").path("code").asText()).isEqualTo("INVALID_MESSAGE");
            c.sendText("{\"t\":\"ping\",\"p\":{}}");
            assertThat(c.nextOfType("PONG")).as("the connection stays").isNotNull();
        }
    }

    @Test
    void presenceDataChangesAreLimitedToOneASecond() {
        String sub = "{\"t\":\"subscription\",\"p\":{\"topics\":[\"busy-lobby\"],\"presence\":{\"n\":%d}}}";
        try (JdkWsClient c = connect("ivy", Map.of())) {
            assertThat(subscribe(c, sub.formatted(1)).path("success_topics")).hasSize(1);
            JsonNode first = subscribe(c, sub.formatted(2));
            JsonNode second = subscribe(c, sub.formatted(3));
            JsonNode refused = first.path("failed_topics").isEmpty() ? second : first;
            assertThat(refused.path("failed_topics").get(0).path("code").asText()).isEqualTo("LIMIT_EXCEEDED");
        }
    }

    @Test
    void aSubscriberThatLostPublicationsRecoversWithoutResubscribing() throws Exception {
        String topic = "gap-topic";
        try (JdkWsClient c = connect("jay", Map.of())) {
            JsonNode base = subscribe(c, "{\"t\":\"subscription\",\"p\":{\"topics\":[\"" + topic + "\"]}}")
                    .path("recovery").path(topic);
            for (int i = 1; i <= 4; i++) {
                server.publish(topic, chat(i)).toCompletableFuture().get();
            }
            for (int i = 1; i <= 4; i++) {
                c.nextOfType("chat_message");
            }
            // As if publications 3 and 4 had been dropped: ask again from 2, while still subscribed.
            long seen = base.path("offset").asLong() + 2;
            c.sendText("{\"t\":\"subscription_update\",\"p\":{\"topics\":[\"" + topic + "\"],\"recover\":true,"
                    + "\"recovery\":{\"" + topic + "\":{\"epoch\":\"" + base.path("epoch").asText() + "\",\"offset\":" + seen + "}}}}");
            assertThat(c.nextOfType("chat_message").path("p").path("n").asInt()).isEqualTo(3);
            assertThat(c.nextOfType("chat_message").path("p").path("n").asInt()).isEqualTo(4);
            JsonNode result = c.nextOfType("subscription_update").path("p").path("recovery").path(topic);
            assertThat(result.path("recovered").asBoolean()).isTrue();
            assertThat(result.path("count").asInt()).isEqualTo(2);
        }
    }
}
