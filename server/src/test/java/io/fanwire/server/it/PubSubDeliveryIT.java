package io.fanwire.server.it;

import static io.fanwire.server.testing.PubSubMessages.numbered;
import static io.fanwire.server.testing.PubSubMessages.offsets;
import static io.fanwire.server.testing.PubSubMessages.publications;
import static io.fanwire.server.testing.PubSubMessages.range;
import static io.fanwire.server.testing.PubSubMessages.subscribe;
import static io.fanwire.server.testing.PubSubMessages.subscribeWithPresence;
import static io.fanwire.server.testing.PubSubMessages.topicCount;
import static io.fanwire.server.testing.PubSubMessages.unsubscribe;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.StreamPosition;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.TestServers;
import io.fanwire.server.testing.WsFleet;

/**
 * The delivery invariant at scale (published × subscribers = delivered, gap-free and in order, with nothing
 * left behind afterwards), and the order of direct sends and publications on one connection.
 */
class PubSubDeliveryIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private FanwireServer server;

    @BeforeEach
    void start() {
        server = TestServers.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void threeHundredSubscribersEachGetEveryPublicationOnceInOrderAndLeaveNothingBehind() throws Exception {
        int subscribers = 300;
        int published = 200;
        String topic = "fanout";
        try (WsFleet fleet = new WsFleet(server.port())) {
            List<WsFleet.Client> clients = new ArrayList<>();
            for (int i = 0; i < subscribers; i++) {
                WsFleet.Client client = fleet.connect(TestServers.token("sub-" + i));
                client.nextOfType("server_ready");
                client.sendText(subscribe(topic));
                clients.add(client);
            }
            String epoch = null;
            long[] baseline = new long[subscribers];
            for (int i = 0; i < subscribers; i++) {
                JsonNode reply = clients.get(i).nextOfType("subscription_update").path("p");
                assertThat(reply.path("success_topics").toString()).isEqualTo("[\"" + topic + "\"]");
                JsonNode position = reply.path("recovery").path(topic);
                epoch = epoch == null ? position.path("epoch").asText() : epoch;
                assertThat(position.path("epoch").asText()).isEqualTo(epoch);
                baseline[i] = position.path("offset").asLong();
            }
            assertThat(server.stats().subscriptionsActive.get()).isEqualTo(subscribers);
            assertThat(topicCount(server)).isEqualTo(1);

            ExecutorService publisher = Executors.newSingleThreadExecutor();
            List<StreamPosition> stamps;
            try {
                stamps = CompletableFuture.supplyAsync(() -> {
                    List<StreamPosition> out = new ArrayList<>();
                    for (int n = 1; n <= published; n++) {
                        out.add(server.publish(topic, numbered("tick", n)).toCompletableFuture().join());
                    }
                    return out;
                }, publisher).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } finally {
                publisher.shutdownNow();
                assertThat(publisher.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
            }
            long first = stamps.get(0).offset();
            assertThat(stamps).extracting(StreamPosition::offset).isEqualTo(range(first, first + published - 1));
            assertThat(stamps).extracting(StreamPosition::epoch).containsOnly(epoch);

            Await.until(TIMEOUT, () -> clients.stream().allMatch(c -> c.received() >= published + 2),
                    () -> "every subscriber received " + published + " publications; least: "
                            + clients.stream().mapToInt(WsFleet.Client::received).min().orElse(0));
            for (int i = 0; i < subscribers; i++) {
                List<JsonNode> got = publications(clients.get(i).takeAll(), topic);
                assertThat(offsets(got)).as("subscriber %d", i).isEqualTo(range(baseline[i] + 1, baseline[i] + published));
                for (int n = 1; n <= published; n++) {
                    JsonNode p = got.get(n - 1);
                    assertThat(p.path("e").asText()).isEqualTo(epoch);
                    assertThat(p.path("t").asText()).isEqualTo("tick");
                    assertThat(p.path("p").path("n").asInt()).isEqualTo(n);
                }
            }
            assertThat(server.stats().publications.sum()).isEqualTo(published);
            Await.count("deliveries", TIMEOUT, server.stats().deliveries::sum, (long) subscribers * published);
            assertThat(server.stats().slowConsumerDrops.sum()).isZero();
            assertThat(server.stats().replayed.sum()).isZero();

            // A third unsubscribes by name, a third unsubscribes from everything, a third just goes away.
            for (int i = 0; i < subscribers; i++) {
                WsFleet.Client client = clients.get(i);
                switch (i % 3) {
                    case 0 -> client.sendText(unsubscribe(topic));
                    case 1 -> client.sendText(unsubscribe());
                    default -> client.close();
                }
            }
            for (int i = 0; i < subscribers; i++) {
                if (i % 3 != 2) {
                    JsonNode reply = clients.get(i).nextOfType("subscription_update").path("p");
                    assertThat(reply.path("success_topics").toString()).isEqualTo("[\"" + topic + "\"]");
                    assertThat(reply.path("failed_topics")).isEmpty();
                }
            }
            Await.until(TIMEOUT, () -> server.stats().subscriptionsActive.get() == 0 && topicCount(server) == 0,
                    () -> "subscriptions " + server.stats().subscriptionsActive.get() + ", topics " + topicCount(server));
            Await.until(TIMEOUT, () -> server.connectionCount() == subscribers * 2 / 3,
                    () -> "connections " + server.connectionCount());

            server.publish(topic, numbered("tick", published + 1)).toCompletableFuture().join();
            assertThat(server.stats().deliveries.sum()).as("nobody is subscribed any more")
                    .isEqualTo((long) subscribers * published);
        }
        Await.until(TIMEOUT, () -> server.connectionCount() == 0, () -> "connections " + server.connectionCount());
        assertThat(server.stats().subscriptionsActive.get()).isZero();
    }

    @Test
    void directSendsAndPublicationsReachAConnectionInCallOrder() {
        try (JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("olga"))) {
            UUID id = UUID.fromString(client.nextOfType("server_ready").path("p").path("details")
                    .path("connection_id").asText());
            client.sendText(subscribe("mixed", "other"));
            JsonNode positions = client.nextOfType("subscription_update").path("p").path("recovery");
            long offset = positions.path("mixed").path("offset").asLong();
            long otherOffset = positions.path("other").path("offset").asLong();

            int total = 300;
            for (int i = 0; i < total; i++) {
                Envelope message = numbered(i % 3 == 0 ? "direct" : "published", i);
                switch (i % 3) {
                    case 0 -> assertThat(server.send(id, message)).isTrue();
                    case 1 -> server.publish("mixed", message);
                    default -> server.publish(i % 2 == 0 ? "mixed" : "other", message);
                }
            }
            for (int i = 0; i < total; i++) {
                JsonNode m = client.next(Duration.ofSeconds(5)).json();
                assertThat(m.path("p").path("n").asInt()).as("message %d", i).isEqualTo(i);
                if (i % 3 == 0) {
                    assertThat(m.path("t").asText()).isEqualTo("direct");
                    assertThat(m.has("tp")).isFalse();
                } else if (m.path("tp").asText().equals("mixed")) {
                    assertThat(m.path("o").asLong()).isEqualTo(++offset);
                } else {
                    assertThat(m.path("tp").asText()).isEqualTo("other");
                    assertThat(m.path("o").asLong()).isEqualTo(++otherOffset);
                }
            }
        }
    }

    @Test
    void theInvariantCountsPublicationsOnlyNotPresenceEvents() {
        String topic = "stage";
        int published = 10;
        try (WsFleet fleet = new WsFleet(server.port())) {
            List<WsFleet.Client> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                WsFleet.Client client = fleet.connect(TestServers.token("actor-" + i));
                client.nextOfType("server_ready");
                client.sendText(subscribeWithPresence(topic, Envelope.newPayload().put("role", i)));
                client.nextOfType("subscription_update");
                clients.add(client);
            }
            // Three joins went out (1 + 2 + 3 events) and one update; none is a publication.
            clients.get(0).sendText(subscribeWithPresence(topic, Envelope.newPayload().put("role", "lead")));
            clients.get(0).nextOfType("subscription_update");
            for (int n = 1; n <= published; n++) {
                server.publish(topic, numbered("line", n));
            }
            for (WsFleet.Client client : clients) {
                List<WsFleet.Message> got = new ArrayList<>();
                Await.until("every actor got every line", TIMEOUT, () -> {
                    got.addAll(client.takeAll());
                    return publications(got, topic).size() == published;
                });
            }
            Await.count("deliveries", TIMEOUT, server.stats().deliveries::sum, 3L * published);
            assertThat(server.stats().publications.sum()).isEqualTo(published);
        }
    }
}
