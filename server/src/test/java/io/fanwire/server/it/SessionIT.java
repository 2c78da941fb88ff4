package io.fanwire.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fanwire.common.codec.DecodeLimits;
import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.Exposition;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.RawClient;
import io.fanwire.server.testing.TestServers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** The connection lifecycle of docs/PROTOCOL.md §3 with the JDK's WebSocket client and raw frames. */
class SessionIT {

    private static FanwireServer server;

    @BeforeAll
    static void start() {
        server = TestServers.start(c -> c.maxMessageBytes(64 * 1024).maxFrameBytes(64 * 1024));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void serverReadyIsTheFirstFrame() {
        try (JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("alice"))) {
            JdkWsClient.Received first = client.next(Duration.ofSeconds(5));
            assertThat(first.text()).isTrue();
            assertThat(first.data()).startsWith("{\"c\":\"WSE\",\"t\":\"server_ready\",\"p\":");
            JsonNode ready = first.json();
            assertThat(ready.path("seq").asLong()).isEqualTo(1);
            assertThat(ready.path("v").asInt()).isEqualTo(1);
            assertThat(ready.path("id").asText()).hasSize(36);
            JsonNode details = ready.path("p").path("details");
            assertThat(details.path("user_id").asText()).isEqualTo("alice");
            assertThat(details.path("connection_id").asText()).hasSize(36);
            assertThat(server.connection(java.util.UUID.fromString(details.path("connection_id").asText())))
                    .hasValueSatisfying(info -> assertThat(info.userId()).isEqualTo("alice"));
        }
    }

    @Test
    void subprotocolCarrierSelectsFanwireV1() {
        String token = TestServers.token("bob");
        try (JdkWsClient client = JdkWsClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), Map.of(),
                "fanwire.v1", "bearer." + token)) {
            assertThat(client.subprotocol()).isEqualTo("fanwire.v1");
            assertThat(client.nextJson().path("t").asText()).isEqualTo("server_ready");
        }
    }

    @Test
    void clientPingIsAnsweredWithPong() {
        try (JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("alice"))) {
            client.nextOfType("server_ready");
            client.sendText("{\"t\":\"ping\",\"p\":{\"timestamp\":1234},\"cid\":\"c1\"}");
            JsonNode pong = client.nextOfType("PONG");
            assertThat(pong.path("c").asText()).isEqualTo("WSE");
            assertThat(pong.path("p").path("client_timestamp").asLong()).isEqualTo(1234);
            assertThat(pong.path("p").path("server_timestamp").asLong()).isPositive();
            assertThat(pong.path("cid").asText()).isEqualTo("c1");
        }
    }

    @Test
    void clientHelloGetsServerHello() {
        try (JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("alice"))) {
            JsonNode ready = client.nextOfType("server_ready");
            client.sendText("{\"t\":\"client_hello\",\"p\":{\"client_version\":\"test\",\"protocol_version\":3,"
                    + "\"features\":{\"compression\":true,\"msgpack\":false,\"encryption\":true}}}");
            JsonNode hello = client.nextOfType("server_hello").path("p");
            assertThat(hello.path("protocol_version").asInt()).isEqualTo(1);
            assertThat(hello.path("features").path("compression").asBoolean()).isTrue();
            assertThat(hello.path("features").path("encryption").asBoolean()).isFalse();
            assertThat(hello.path("limits").path("max_message_size").asInt()).isEqualTo(64 * 1024);
            assertThat(hello.path("ping_interval").asLong()).isEqualTo(25_000);
            assertThat(hello.path("connection_id").asText())
                    .isEqualTo(ready.path("p").path("details").path("connection_id").asText());
            assertThat(hello.path("token_expires_at").asText()).endsWith("Z");
        }
    }

    @Test
    void msgpackConnectionsGetMsgpackFrames() throws Exception {
        try (JdkWsClient client = JdkWsClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/ws?format=msgpack"),
                Map.of("Authorization", "Bearer " + TestServers.token("carol")))) {
            JdkWsClient.Received first = client.next(Duration.ofSeconds(5));
            assertThat(first.text()).isFalse();
            assertThat(first.data()).startsWith("M:");
            ByteBuf buf = Unpooled.wrappedBuffer(first.bytes());
            try {
                Envelope ready = new FrameCodec(DecodeLimits.DEFAULT).decode(buf, false);
                assertThat(ready.type()).isEqualTo("server_ready");
                assertThat(ready.payload().path("details").path("user_id").asText()).isEqualTo("carol");
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void malformedJsonIsAnsweredAndTheConnectionStays() {
        try (JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("alice"))) {
            client.nextOfType("server_ready");
            client.sendText("{\"t\":\"chat\",\"p\":");
            JsonNode error = client.nextOfType("error").path("p");
            assertThat(error.path("code").asText()).isEqualTo("INVALID_MESSAGE");
            assertThat(error.path("recoverable").asBoolean()).isFalse();
            client.sendText("{\"t\":\"ping\",\"p\":{}}");
            assertThat(client.nextOfType("PONG")).isNotNull();
        }
    }

    @Test
    void oversizeMessageClosesWith1009() {
        try (JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("alice"))) {
            client.nextOfType("server_ready");
            client.sendText("{\"t\":\"big\",\"p\":{\"x\":\"" + "a".repeat(70 * 1024) + "\"}}");
            assertThat(client.awaitCloseCode(Duration.ofSeconds(5))).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        }
    }

    @Test
    void oversizeFragmentedMessageClosesWith1009() {
        try (RawClient raw = new RawClient(server.port())) {
            assertThat(raw.request(RawClient.upgradeRequest("/ws", "Authorization: Bearer " + TestServers.token("dave")))
                    .status()).isEqualTo(101);
            assertThat(raw.readFrame().text()).contains("server_ready");
            byte[] chunk = new byte[40 * 1024];
            java.util.Arrays.fill(chunk, (byte) 'a');
            raw.sendFrame(false, 1, "{\"t\":\"x\",\"p\":{\"a\":\"".getBytes(StandardCharsets.UTF_8));
            raw.sendFrame(false, 0, chunk);
            raw.sendFrame(true, 0, chunk);
            assertThat(raw.readUntilClose().closeCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        }
    }

    @Test
    void invalidUtf8ClosesWith1007() {
        try (RawClient raw = new RawClient(server.port())) {
            raw.request(RawClient.upgradeRequest("/ws", "Authorization: Bearer " + TestServers.token("erin")));
            raw.readFrame();
            raw.sendFrame(true, 1, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
            assertThat(raw.readUntilClose().closeCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
        }
    }

    @Test
    void unmaskedClientFrameClosesWith1002() {
        try (RawClient raw = new RawClient(server.port())) {
            raw.request(RawClient.upgradeRequest("/ws", "Authorization: Bearer " + TestServers.token("frank")));
            raw.readFrame();
            raw.sendFrame(0x80, 1, "{\"t\":\"ping\",\"p\":{}}".getBytes(StandardCharsets.UTF_8), false);
            assertThat(raw.readUntilClose().closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        }
    }

    @Test
    void webSocketPingGetsPong() {
        try (RawClient raw = new RawClient(server.port())) {
            raw.request(RawClient.upgradeRequest("/ws", "Authorization: Bearer " + TestServers.token("gina")));
            raw.readFrame();
            raw.sendFrame(true, 9, "hi".getBytes(StandardCharsets.UTF_8));
            RawClient.Frame pong = raw.readFrame();
            assertThat(pong.opcode()).isEqualTo(10);
            assertThat(pong.text()).isEqualTo("hi");
        }
    }

    @Test
    void serverPingsAndClosesIdleConnections() {
        try (FanwireServer fast = TestServers.start(c -> c.pingInterval(Duration.ofMillis(200))
                .idleTimeout(Duration.ofMillis(1500)));
             JdkWsClient client = JdkWsClient.connect(fast.port(), TestServers.token("alice"))) {
            client.nextOfType("server_ready");
            JsonNode ping = client.nextOfType("ping");
            assertThat(ping.path("c").asText()).isEqualTo("WSE");
            assertThat(ping.path("p").path("server_time").asLong()).isPositive();
            // The JDK client answers nothing on its own, so the connection goes idle.
            assertThat(client.awaitCloseCode(Duration.ofSeconds(5))).isEqualTo(CloseCodes.NORMAL);
            assertThat(client.closeReason()).isEqualTo("idle");
            Await.until(Duration.ofSeconds(5), () -> Exposition.scrape(fast.port())
                            .value("fanwire_disconnects_total{code=\"normal\"}").orElse(0) == 1,
                    () -> "fanwire_disconnects_total{code=\"normal\"} is 1");
        }
    }

    @Test
    void pongsKeepAConnectionAlive() {
        try (FanwireServer fast = TestServers.start(c -> c.pingInterval(Duration.ofMillis(100))
                .idleTimeout(Duration.ofMillis(600)));
             JdkWsClient client = JdkWsClient.connect(fast.port(), TestServers.token("alice"))) {
            client.nextOfType("server_ready");
            long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            int pongs = 0;
            while (System.nanoTime() < until) {
                JsonNode ping = client.nextOfType("ping");
                client.sendText("{\"t\":\"pong\",\"p\":{\"server_timestamp\":" + ping.path("p").path("server_time") + "}}");
                pongs++;
            }
            assertThat(pongs).isGreaterThan(3);
            client.sendText("{\"t\":\"ping\",\"p\":{}}");
            assertThat(client.nextOfType("PONG")).isNotNull();
        }
    }
}
