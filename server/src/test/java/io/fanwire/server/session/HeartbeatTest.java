package io.fanwire.server.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.common.codec.WireFormat;
import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.common.protocol.Uuid7;
import io.fanwire.server.drain.ConnectionInfo;
import io.fanwire.server.drain.InboundEvent;
import io.fanwire.server.testing.EmbeddedServices;
import io.fanwire.server.testing.TestServers;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * Server pings and idle timeouts of one connection, on an embedded event loop whose clock the test moves:
 * the heartbeat reads the loop's ticker, so no test waits for real time to pass.
 */
class HeartbeatTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PING_INTERVAL = Duration.ofSeconds(10);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final EmbeddedServices services;
    private final ConnectionInfo info;
    private Session session;

    HeartbeatTest() {
        channel.freezeTime();
        services = EmbeddedServices.over(channel, TestServers.config()
                .pingInterval(PING_INTERVAL)
                .idleTimeout(IDLE_TIMEOUT)
                .build());
        info = new ConnectionInfo(Uuid7.next(), "alice", Map.of(), null, Instant.now(), WireFormat.JSON);
    }

    @BeforeEach
    void connect() {
        services.heartbeat().start();
        SessionHandler handler = SessionHandler.install(channel.pipeline(), services.sessions(), info, null);
        session = handler.session();
        handler.start();
        assertThat(texts()).singleElement()
                .satisfies(ready -> assertThat(ready.path("t").asText()).isEqualTo("server_ready"));
        assertThat(services.drain()).hasSize(1);
    }

    @AfterEach
    void stopHeartbeat() {
        services.heartbeat().stop();
    }

    /**
     * Moves the event loop's clock forward by {@code duration} a second at a time (the heartbeat's tick for
     * these settings), running the sweeps that fall due as a live loop would; one jump would run every due
     * sweep at the same instant, like a loop that stalled.
     */
    private void elapse(Duration duration) {
        for (long s = 0; s < duration.toSeconds(); s++) {
            channel.advanceTimeBy(1, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
        }
    }

    /** Every text frame written so far, as JSON; fails on any other frame. */
    private List<JsonNode> texts() {
        List<JsonNode> out = new ArrayList<>();
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            assertThat(msg).isInstanceOf(TextWebSocketFrame.class);
            TextWebSocketFrame frame = (TextWebSocketFrame) msg;
            try {
                out.add(JSON.readTree(ByteBufUtil.getBytes(frame.content())));
            } catch (IOException e) {
                throw new AssertionError("not JSON", e);
            } finally {
                frame.release();
            }
        }
        return out;
    }

    /** Asserts that the next frame closes with 1000 "idle", the connection is gone and the application told. */
    private void assertClosedForIdleness() {
        Object msg = channel.readOutbound();
        assertThat(msg).isInstanceOf(CloseWebSocketFrame.class);
        CloseWebSocketFrame close = (CloseWebSocketFrame) msg;
        assertThat(close.statusCode()).isEqualTo(CloseCodes.NORMAL);
        assertThat(close.reasonText()).isEqualTo("idle");
        close.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(services.drain()).containsExactly(new InboundEvent.Disconnected(info, CloseCodes.NORMAL, "idle"));
    }

    @Test
    void noPingBeforeTheInterval() {
        elapse(PING_INTERVAL.minusSeconds(1));

        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void pingsWhenTheIntervalHasPassed() {
        elapse(PING_INTERVAL);

        JsonNode ping = texts().get(0);
        assertThat(ping.path("c").asText()).isEqualTo("WSE");
        assertThat(ping.path("t").asText()).isEqualTo("ping");
        assertThat(ping.path("p").path("server_time").asLong()).isPositive();
        assertThat(ping.path("seq").asLong()).isEqualTo(2);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void pingsOncePerInterval() {
        elapse(PING_INTERVAL);
        assertThat(texts()).hasSize(1);

        elapse(PING_INTERVAL.minusSeconds(1));
        assertThat(texts()).isEmpty();

        elapse(Duration.ofSeconds(1));
        assertThat(texts()).hasSize(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void silentConnectionIsClosedWith1000IdleAfterTheTimeout() {
        elapse(IDLE_TIMEOUT);
        assertThat(texts()).as("pings until the timeout").hasSize(3).allSatisfy(
                ping -> assertThat(ping.path("t").asText()).isEqualTo("ping"));
        assertThat(channel.isOpen()).isTrue();

        elapse(Duration.ofSeconds(1));

        assertClosedForIdleness();
        assertThat(services.stats().disconnects.get("normal")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void webSocketPongCountsAsActivity() {
        elapse(Duration.ofSeconds(25));
        channel.writeInbound(new PongWebSocketFrame(Unpooled.copiedBuffer("p", StandardCharsets.US_ASCII)));

        elapse(Duration.ofSeconds(25));
        assertThat(channel.isOpen()).as("25 s after the pong").isTrue();
        assertThat(texts()).as("pings only").allSatisfy(ping -> assertThat(ping.path("t").asText()).isEqualTo("ping"));

        elapse(Duration.ofSeconds(6));
        assertClosedForIdleness();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void clientMessageCountsAsActivity() {
        elapse(Duration.ofSeconds(25));
        channel.writeInbound(new TextWebSocketFrame("{\"t\":\"pong\",\"p\":{}}"));

        elapse(Duration.ofSeconds(25));
        assertThat(channel.isOpen()).as("25 s after the message").isTrue();
        assertThat(texts()).as("pings only").allSatisfy(ping -> assertThat(ping.path("t").asText()).isEqualTo("ping"));

        elapse(Duration.ofSeconds(6));
        assertClosedForIdleness();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aConnectionPausedForTheApplicationIsNotIdle() {
        session.pauseReading();
        elapse(IDLE_TIMEOUT.multipliedBy(3));
        assertThat(channel.isOpen()).as("its silence is the application's doing").isTrue();

        session.resumeReading();
        channel.runPendingTasks();
        elapse(IDLE_TIMEOUT.minusSeconds(1));
        assertThat(channel.isOpen()).as("idleness counts from the resume").isTrue();
        texts();
        elapse(Duration.ofSeconds(2));
        assertClosedForIdleness();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void stoppedHeartbeatNeitherPingsNorCloses() {
        services.heartbeat().stop();

        elapse(IDLE_TIMEOUT.multipliedBy(3));

        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void closedConnectionLeavesTheSweep() {
        channel.writeInbound(new CloseWebSocketFrame(CloseCodes.NORMAL, "bye"));
        channel.<CloseWebSocketFrame>readOutbound().release();
        services.drain();

        elapse(IDLE_TIMEOUT.multipliedBy(3));

        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(services.drain()).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void sessionOfAnotherEventLoopIsRefused() {
        EmbeddedChannel elsewhere = new EmbeddedChannel();
        Heartbeat heartbeat = new Heartbeat(elsewhere.eventLoop(), PING_INTERVAL, IDLE_TIMEOUT);
        Session session = new Session(info, channel, null);

        assertThatThrownBy(() -> heartbeat.register(session)).isInstanceOf(IllegalStateException.class);
        assertThat(elsewhere.finish()).isFalse();
        assertThat(channel.finish()).isFalse();
    }
}
