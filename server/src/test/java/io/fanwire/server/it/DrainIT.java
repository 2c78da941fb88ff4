package io.fanwire.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.ServerConfig.DrainConfig;
import io.fanwire.server.ServerConfig.RateLimitConfig;
import io.fanwire.server.drain.InboundEvent;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.TestServers;

/** Drain mode and callback mode as the application sees them, with real clients. */
class DrainIT {

    @Test
    void eventsArriveInBatchesInOrderPerConnection() throws Exception {
        int clients = 4;
        int perClient = 200;
        try (FanwireServer server = TestServers.start(c -> c.rateLimit(RateLimitConfig.UNLIMITED))) {
            List<JdkWsClient> connections = new ArrayList<>();
            try {
                for (int c = 0; c < clients; c++) {
                    JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("user-" + c));
                    client.nextOfType("server_ready");
                    connections.add(client);
                }
                for (int i = 0; i < perClient; i++) {
                    for (JdkWsClient client : connections) {
                        client.sendText("{\"t\":\"chat\",\"p\":{\"n\":" + i + "}}");
                    }
                }
                for (JdkWsClient client : connections) {
                    client.sendClose(1000, "done");
                }
                Map<UUID, List<InboundEvent>> byConnection = new HashMap<>();
                int disconnected = 0;
                int batches = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (disconnected < clients && System.nanoTime() < deadline) {
                    List<InboundEvent> batch = server.drain(64, Duration.ofMillis(200));
                    if (!batch.isEmpty()) {
                        batches++;
                        assertThat(batch).hasSizeLessThanOrEqualTo(64);
                    }
                    for (InboundEvent e : batch) {
                        byConnection.computeIfAbsent(e.connection().id(), id -> new ArrayList<>()).add(e);
                        if (e instanceof InboundEvent.Disconnected) {
                            disconnected++;
                        }
                    }
                }
                assertThat(disconnected).isEqualTo(clients);
                assertThat(batches).isGreaterThan(1);
                for (List<InboundEvent> events : byConnection.values()) {
                    assertThat(events).hasSize(perClient + 2);
                    assertThat(events.get(0)).isInstanceOf(InboundEvent.Connected.class);
                    InboundEvent.Disconnected last = (InboundEvent.Disconnected) events.get(events.size() - 1);
                    assertThat(last.closeCode()).isEqualTo(1000);
                    assertThat(last.reason()).isEqualTo("done");
                    for (int i = 0; i < perClient; i++) {
                        InboundEvent.Message m = (InboundEvent.Message) events.get(i + 1);
                        assertThat(m.envelope().type()).isEqualTo("chat");
                        assertThat(m.envelope().payload().path("n").asInt()).isEqualTo(i);
                        assertThat(new String(m.raw(), java.nio.charset.StandardCharsets.UTF_8))
                                .isEqualTo("{\"t\":\"chat\",\"p\":{\"n\":" + i + "}}");
                    }
                }
                assertThat(server.stats().eventsRejected.sum()).isZero();
            } finally {
                connections.forEach(JdkWsClient::close);
            }
        }
    }

    @Test
    void aSlowDrainConsumerPausesReadsAndLosesNothing() throws Exception {
        int sent = 5_000;
        try (FanwireServer server = TestServers.start(c -> c.drain(new DrainConfig(64, 16, 1_000_000))
                .rateLimit(RateLimitConfig.UNLIMITED));
             JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("flood"))) {
            client.nextOfType("server_ready");
            Thread sender = Thread.ofPlatform().name("test-sender").start(() -> {
                for (int i = 0; i < sent; i++) {
                    client.sendText("{\"t\":\"m\",\"p\":{\"n\":" + i + "}}");
                }
            });
            try {
                // Nobody drains yet: the server must stop reading rather than queue without bound.
                await(() -> server.stats().backpressurePauses.sum() > 0, Duration.ofSeconds(10));
                int depthWhilePaused = server.pendingEvents();
                assertThat(depthWhilePaused).isGreaterThanOrEqualTo(64);

                int received = 0;
                int expectedNext = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (received < sent && System.nanoTime() < deadline) {
                    for (InboundEvent e : server.drain(16, Duration.ofMillis(200))) {
                        if (e instanceof InboundEvent.Message m) {
                            assertThat(m.envelope().payload().path("n").asInt()).isEqualTo(expectedNext++);
                            received++;
                        }
                    }
                }
                assertThat(received).isEqualTo(sent);
                assertThat(server.stats().eventsRejected.sum()).isZero();
                assertThat(server.stats().messagesIn.sum()).isEqualTo(sent);
            } finally {
                sender.join(Duration.ofSeconds(10));
            }
        }
    }

    @Test
    void serverSideDisconnectCarriesTheCode() throws Exception {
        try (FanwireServer server = TestServers.start();
             JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("alice"))) {
            JsonNode ready = client.nextOfType("server_ready");
            UUID id = UUID.fromString(ready.path("p").path("details").path("connection_id").asText());
            assertThat(server.disconnect(id, 4000, "bye")).isTrue();
            assertThat(client.awaitCloseCode(Duration.ofSeconds(5))).isEqualTo(4000);
            assertThat(client.closeReason()).isEqualTo("bye");
            InboundEvent.Disconnected d = awaitEvent(server, InboundEvent.Disconnected.class);
            assertThat(d.closeCode()).isEqualTo(4000);
            assertThat(d.connection().id()).isEqualTo(id);
            assertThat(server.disconnect(id, 4000, "again")).isFalse();
        }
    }

    @Test
    void sendAndSendToUserReachEveryConnection() throws Exception {
        try (FanwireServer server = TestServers.start();
             JdkWsClient a1 = JdkWsClient.connect(server.port(), TestServers.token("alice"));
             JdkWsClient a2 = JdkWsClient.connect(server.port(), TestServers.token("alice"));
             JdkWsClient b = JdkWsClient.connect(server.port(), TestServers.token("bob"))) {
            a1.nextOfType("server_ready");
            a2.nextOfType("server_ready");
            UUID bob = UUID.fromString(b.nextOfType("server_ready").path("p").path("details").path("connection_id").asText());
            await(() -> server.connectionsOf("alice").size() == 2, Duration.ofSeconds(5));

            com.fasterxml.jackson.databind.node.ObjectNode payload = Envelope.newPayload().put("text", "hi");
            assertThat(server.sendToUser("alice", Envelope.of("notice", payload))).isEqualTo(2);
            assertThat(server.send(bob, Envelope.of("direct", payload))).isTrue();
            assertThat(server.send(UUID.randomUUID(), Envelope.of("direct", payload))).isFalse();

            for (JdkWsClient alice : List.of(a1, a2)) {
                JsonNode notice = alice.nextOfType("notice");
                assertThat(notice.path("c").asText()).isEqualTo("U");
                assertThat(notice.path("p").path("text").asText()).isEqualTo("hi");
                assertThat(notice.path("seq").asLong()).isEqualTo(2);
            }
            assertThat(b.nextOfType("direct").path("p").path("text").asText()).isEqualTo("hi");
        }
    }

    @Test
    void callbackModeHandlesInOrderAndSurvivesAThrowingHandler() throws Exception {
        CopyOnWriteArrayList<String> seen = new CopyOnWriteArrayList<>();
        ExecutorService executor = Executors.newFixedThreadPool(4);
        try (FanwireServer server = FanwireServer.builder()
                .config(TestServers.config().build())
                .handler(event -> {
                    if (event instanceof InboundEvent.Message m) {
                        int n = m.envelope().payload().path("n").asInt();
                        seen.add(m.connection().userId() + ":" + n);
                        if (n == 3) {
                            throw new IllegalStateException("handler failure on purpose");
                        }
                    }
                }, executor)
                .build()
                .start();
             JdkWsClient a = JdkWsClient.connect(server.port(), TestServers.token("a"));
             JdkWsClient b = JdkWsClient.connect(server.port(), TestServers.token("b"))) {
            a.nextOfType("server_ready");
            b.nextOfType("server_ready");
            for (int i = 0; i < 50; i++) {
                a.sendText("{\"t\":\"m\",\"p\":{\"n\":" + i + "}}");
                b.sendText("{\"t\":\"m\",\"p\":{\"n\":" + i + "}}");
            }
            await(() -> seen.size() == 100, Duration.ofSeconds(10));
            for (String user : List.of("a", "b")) {
                List<Integer> order = seen.stream().filter(s -> s.startsWith(user + ":"))
                        .map(s -> Integer.parseInt(s.substring(s.indexOf(':') + 1))).toList();
                assertThat(order).hasSize(50).isSorted();
            }
            assertThat(server.stats().handlerErrors.sum()).isEqualTo(2);
            assertThat(server.pendingEvents()).isZero();
        } finally {
            executor.shutdownNow();
            assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static <T extends InboundEvent> T awaitEvent(FanwireServer server, Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            for (InboundEvent e : server.drain(100, Duration.ofMillis(100))) {
                if (type.isInstance(e)) {
                    return type.cast(e);
                }
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " within 5 s");
    }

    private static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }
}
