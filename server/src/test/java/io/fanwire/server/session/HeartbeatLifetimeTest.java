package io.fanwire.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.common.codec.WireFormat;
import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.common.protocol.Uuid7;
import io.fanwire.server.ServerConfig.LimitsConfig;
import io.fanwire.server.ServerConfig.ShutdownConfig;
import io.fanwire.server.drain.ConnectionInfo;
import io.fanwire.server.testing.EmbeddedServices;
import io.fanwire.server.testing.TestServers;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/** The maximum connection lifetime, enforced by the heartbeat's sweep, on an embedded loop whose clock the test moves. */
class HeartbeatLifetimeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LIFETIME = Duration.ofMinutes(10);
    private static final Duration JITTER = Duration.ofMinutes(1);

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private EmbeddedServices services;

    private void connect(LimitsConfig limits) {
        channel.freezeTime();
        services = EmbeddedServices.over(channel, TestServers.config()
                // Pings and idle timeouts far beyond the lifetime: only the lifetime closes here.
                .pingInterval(Duration.ofHours(1))
                .idleTimeout(Duration.ofHours(2))
                .limits(limits)
                .shutdown(new ShutdownConfig(Duration.ofSeconds(30), 100, Duration.ofSeconds(2), Duration.ofSeconds(3)))
                .build());
        services.heartbeat().start();
        ConnectionInfo info = new ConnectionInfo(Uuid7.next(), "alice", Map.of(), null, Instant.now(), WireFormat.JSON);
        SessionHandler.install(channel.pipeline(), services.sessions(), info, null).start();
        releaseOutbound();
    }

    @AfterEach
    void stop() {
        services.heartbeat().stop();
        releaseOutbound();
        assertThat(channel.finish()).isFalse();
    }

    /** Moves the clock a second at a time, running the sweeps that fall due. */
    private void elapse(Duration duration) {
        for (long s = 0; s < duration.toSeconds(); s++) {
            channel.advanceTimeBy(1, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
        }
    }

    private void releaseOutbound() {
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Test
    void anOldConnectionIsClosedWith4300AndARetryHint() throws IOException {
        connect(LimitsConfig.DEFAULT.withMaxLifetime(LIFETIME, JITTER));

        elapse(LIFETIME.minus(JITTER).minusSeconds(1));
        assertThat(channel.<Object>readOutbound()).as("younger than its least lifetime").isNull();

        elapse(JITTER.multipliedBy(2).plusSeconds(2));
        Object msg = channel.readOutbound();
        assertThat(msg).isInstanceOf(CloseWebSocketFrame.class);
        CloseWebSocketFrame close = (CloseWebSocketFrame) msg;
        try {
            assertThat(close.statusCode()).isEqualTo(CloseCodes.DRAINING);
            JsonNode reason = JSON.readTree(close.reasonText());
            assertThat(reason.path("reason").asText()).isEqualTo(RetryHint.MAX_LIFETIME);
            assertThat(reason.path("retry_after_ms").asLong()).isBetween(2000L, 5000L);
        } finally {
            close.release();
        }
        assertThat(services.stats().lifetimeCloses.sum()).isEqualTo(1);
        assertThat(channel.isOpen()).as("closed once the close frame is out").isFalse();
    }

    @Test
    void withoutALifetimeConnectionsStay() {
        connect(LimitsConfig.DEFAULT);

        elapse(Duration.ofMinutes(30));

        assertThat(channel.<Object>readOutbound()).isNull();
        assertThat(channel.isOpen()).isTrue();
        assertThat(services.stats().lifetimeCloses.sum()).isZero();
    }
}
