package io.fanwire.server.it;

import static io.fanwire.server.testing.PubSubMessages.numbered;
import static io.fanwire.server.testing.PubSubMessages.offsets;
import static io.fanwire.server.testing.PubSubMessages.publications;
import static io.fanwire.server.testing.PubSubMessages.range;
import static io.fanwire.server.testing.PubSubMessages.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.ServerConfig.RateLimitConfig;
import io.fanwire.server.drain.InboundEvent;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.Exposition;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.RawClient;
import io.fanwire.server.testing.TestServers;
import io.fanwire.server.testing.WsFleet;

/**
 * One client floods the server with messages or with ping frames; it is warned, refused and closed with 1008,
 * while healthy clients on the same event loop get every publication in order and have their own messages
 * taken. Each test checks the victim's outcome, the metric that moved and the control group.
 */
class AbuseLimitsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String TOPIC = "lobby";
    private static final int HEALTHY = 3;
    private static final int PUBLICATIONS = 50;
    /** More than any budget below lets through before the connection must be closed. */
    private static final int MAX_FLOOD = 5000;

    private FanwireServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A server whose connections all share one event loop, so a flood competes with the control group. */
    private void start(RateLimitConfig limits) {
        server = TestServers.start(c -> c.ioThreads(1).rateLimit(limits));
    }

    private record Healthy(WsFleet.Client client, long baseline) {
    }

    private static List<Healthy> controlGroup(WsFleet fleet) {
        List<Healthy> healthy = new ArrayList<>();
        for (int i = 0; i < HEALTHY; i++) {
            WsFleet.Client client = fleet.connect(TestServers.token("healthy-" + i));
            client.nextOfType("server_ready");
            client.sendText(subscribe(TOPIC));
            JsonNode reply = client.nextOfType("subscription_update").path("p");
            healthy.add(new Healthy(client, reply.path("recovery").path(TOPIC).path("offset").asLong()));
        }
        return healthy;
    }

    /** Publishes, has each healthy client send a few messages within its budget, and checks what they got. */
    private void assertControlGroupUnaffected(List<Healthy> healthy) throws InterruptedException {
        for (int n = 1; n <= PUBLICATIONS; n++) {
            server.publish(TOPIC, numbered("chat_message", n));
        }
        for (Healthy h : healthy) {
            for (int i = 0; i < 5; i++) {
                h.client().sendText("{\"t\":\"chat\",\"p\":{\"i\":" + i + "}}");
            }
        }
        for (Healthy h : healthy) {
            List<WsFleet.Message> got = new ArrayList<>();
            Await.until(TIMEOUT, () -> {
                got.addAll(h.client().takeAll());
                return publications(got, TOPIC).size() >= PUBLICATIONS;
            }, () -> "healthy client read " + PUBLICATIONS + " publications");
            assertThat(offsets(publications(got, TOPIC)))
                    .isEqualTo(range(h.baseline() + 1, h.baseline() + PUBLICATIONS));
            assertThat(got).noneMatch(m -> m.json().path("t").asText().equals("error")
                    || m.json().path("t").asText().equals("rate_limit_warning"));
            assertThat(h.client().isClosed()).isFalse();
        }
        int healthyMessages = 0;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (healthyMessages < HEALTHY * 5 && System.nanoTime() < deadline) {
            for (InboundEvent e : server.drain(1024, Duration.ofMillis(100))) {
                if (e instanceof InboundEvent.Message m && m.connection().userId().startsWith("healthy-")) {
                    healthyMessages++;
                }
            }
        }
        assertThat(healthyMessages).as("messages of the control group taken by the application").isEqualTo(HEALTHY * 5);
    }

    @Test
    void aMessageFloodIsWarnedRefusedAndClosedWith1008WhileOthersAreUnaffected() throws InterruptedException {
        start(RateLimitConfig.DEFAULT.withMessages(20, 5).withViolations(30, Duration.ofSeconds(10)));
        try (WsFleet fleet = new WsFleet(server.port());
             JdkWsClient victim = JdkWsClient.connect(server.port(), TestServers.token("flooder"))) {
            List<Healthy> healthy = controlGroup(fleet);
            assertThat(victim.nextJson().path("t").asText()).isEqualTo("server_ready");

            int sent = 0;
            try {
                while (sent < MAX_FLOOD) {
                    victim.sendText("{\"t\":\"chat\",\"p\":{\"n\":" + sent + "}}");
                    sent++;
                }
            } catch (CompletionException closedByServer) {
                // The server closed the connection; the JDK client refuses to send after the close.
            }

            assertThat(victim.awaitCloseCode(TIMEOUT)).isEqualTo(CloseCodes.POLICY_VIOLATION);
            assertThat(victim.closeReason()).isEqualTo("message rate limit exceeded");
            List<String> types = new ArrayList<>();
            List<JsonNode> errors = new ArrayList<>();
            for (JdkWsClient.Received r; (r = victim.poll()) != null; ) {
                JsonNode json = r.json();
                types.add(json.path("t").asText());
                if (json.path("t").asText().equals("error")) {
                    errors.add(json.path("p"));
                }
            }
            assertThat(types.indexOf("rate_limit_warning")).as("warned before refused").isNotNegative()
                    .isLessThan(types.indexOf("error"));
            assertThat(errors).isNotEmpty().allSatisfy(e -> {
                assertThat(e.path("code").asText()).isEqualTo("RATE_LIMITED");
                assertThat(e.path("retry_after").asDouble()).isPositive();
            });
            assertThat(sent).isLessThan(MAX_FLOOD);

            assertControlGroupUnaffected(healthy);
            Exposition metrics = Exposition.scrape(server.port());
            assertThat(metrics.value("fanwire_rate_limited_messages_total").orElseThrow())
                    .isEqualTo((double) server.stats().rateLimitedMessages.sum()).isGreaterThan(30);
            assertThat(metrics.value("fanwire_rate_limit_warnings_total").orElseThrow()).isPositive();
            assertThat(metrics.value("fanwire_abuse_closes_total{reason=\"message_rate\"}").orElseThrow()).isEqualTo(1);
            assertThat(metrics.value("fanwire_disconnects_total{code=\"policy_violation\"}").orElseThrow()).isEqualTo(1);
            assertThat(server.connectionCount()).isEqualTo(HEALTHY);
        }
    }

    @Test
    void aPingFloodIsAnsweredWithinItsBudgetThenClosedWith1008WhileOthersAreUnaffected() throws InterruptedException {
        // A refill so slow that nothing comes back while the test runs: the answered pings are the budget exactly.
        start(RateLimitConfig.DEFAULT.withControlFrames(10, 0.001).withViolations(100, Duration.ofSeconds(10)));
        try (WsFleet fleet = new WsFleet(server.port()); RawClient victim = new RawClient(server.port())) {
            List<Healthy> healthy = controlGroup(fleet);
            assertThat(victim.request(RawClient.upgradeRequest("/ws",
                    "Authorization: Bearer " + TestServers.token("pinger"))).status()).isEqualTo(101);
            assertThat(victim.readFrame().text()).contains("server_ready");

            // The whole flood in one write: far more pings than the budget and the violations allowed.
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int i = 0; i < 500; i++) {
                flood.writeBytes(RawClient.frame(0x80, 0x9, ("ping-" + i).getBytes(StandardCharsets.UTF_8), true));
            }
            victim.write(flood.toByteArray());

            int pongs = 0;
            RawClient.Frame frame;
            for (int i = 0; i < 1000; i++) {
                frame = victim.readFrame();
                if (frame.opcode() == 0xA) {
                    assertThat(frame.text()).isEqualTo("ping-" + pongs);
                    pongs++;
                } else if (frame.opcode() == 0x8) {
                    assertThat(frame.closeCode()).isEqualTo(CloseCodes.POLICY_VIOLATION);
                    assertThat(new String(frame.payload(), 2, frame.payload().length - 2,
                            StandardCharsets.UTF_8)).isEqualTo("control frame rate limit exceeded");
                    break;
                }
            }
            assertThat(pongs).isEqualTo(10);
            assertThat(victim.closedByServer()).isTrue();

            assertControlGroupUnaffected(healthy);
            Exposition metrics = Exposition.scrape(server.port());
            assertThat(metrics.value("fanwire_control_frames_refused_total").orElseThrow()).isEqualTo(101);
            assertThat(metrics.value("fanwire_abuse_closes_total{reason=\"control_rate\"}").orElseThrow()).isEqualTo(1);
            Await.count("connections", TIMEOUT, server::connectionCount, HEALTHY);
        }
    }

    @Test
    void defaultBudgetsLeaveAChattyClientAlone() {
        start(RateLimitConfig.DEFAULT);
        try (JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("chatty"))) {
            assertThat(client.nextJson().path("t").asText()).isEqualTo("server_ready");
            client.sendText("{\"t\":\"client_hello\",\"p\":{}}");
            JsonNode limits = client.nextOfType("server_hello").path("p").path("limits");
            assertThat(limits.path("rate_limit_capacity").asInt()).isEqualTo(RateLimitConfig.DEFAULT_MESSAGE_CAPACITY);
            assertThat(limits.path("rate_limit_refill").asDouble())
                    .isEqualTo(RateLimitConfig.DEFAULT_MESSAGE_REFILL_PER_SECOND);
            for (int i = 0; i < RateLimitConfig.DEFAULT_MESSAGE_CAPACITY / 2; i++) {
                client.sendText("{\"t\":\"ping\",\"p\":{\"timestamp\":" + i + "}}");
            }
            for (int i = 0; i < RateLimitConfig.DEFAULT_MESSAGE_CAPACITY / 2; i++) {
                assertThat(client.nextOfType("PONG").path("p").path("client_timestamp").asLong()).isEqualTo(i);
            }
            assertThat(server.stats().rateLimitedMessages.sum()).isZero();
            assertThat(server.stats().rateLimitWarnings.sum()).isZero();
        }
    }
}
