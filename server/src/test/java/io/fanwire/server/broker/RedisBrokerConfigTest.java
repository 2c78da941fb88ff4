package io.fanwire.server.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RedisBrokerConfigTest {

    @Test
    void defaultsEverythingButTheUri() {
        RedisBroker.Config config = RedisBroker.Config.of("redis://127.0.0.1:6379");
        assertThat(config.keyPrefix()).isEqualTo("fanwire:");
        assertThat(config.maxPendingPublishes()).isEqualTo(10_000);
        assertThat(config.commandTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void refusesOutOfRangeValuesNamingThem() {
        assertThatThrownBy(() -> new RedisBroker.Config("redis://h:1", "p:", 0, Duration.ofSeconds(1), Duration.ofHours(1)))
                .hasMessage("maxPendingPublishes: 0 (expected: > 0)");
        assertThatThrownBy(() -> new RedisBroker.Config("redis://h:1", "p:", 1, Duration.ZERO, Duration.ofHours(1)))
                .hasMessage("commandTimeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> RedisBroker.Config.of("http://h:1")).hasMessageStartingWith("uri: http://h:1");
    }

    @Test
    void neverShowsThePassword() {
        RedisBroker.Config config = RedisBroker.Config.of("rediss://:s3cret@redis.example:6380/2");
        assertThat(config.toString()).doesNotContain("s3cret").contains("rediss://***@redis.example:6380/2");
        assertThatThrownBy(() -> RedisBroker.Config.of("nope://:s3cret@h:1"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
    }

    @Test
    void aStartedBrokerIsNeededToPublish() {
        try (RedisBroker broker = new RedisBroker(RedisBroker.Config.of("redis://127.0.0.1:1"), 10,
                Duration.ofMinutes(1), new io.fanwire.common.codec.JsonEnvelopeCodec(
                        io.fanwire.common.codec.DecodeLimits.DEFAULT))) {
            assertThat(broker.publish("t", io.fanwire.common.protocol.Envelope.of("x",
                    io.fanwire.common.protocol.Envelope.newPayload())).toCompletableFuture())
                    .isCompletedExceptionally();
            assertThat(broker.link()).isNotNull();
        }
    }
}
