package io.fanwire.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fanwire.server.ServerConfig;
import io.fanwire.server.ServerConfig.ClusterConfig;
import io.fanwire.server.broker.RedisBroker;

/** {@code reuse_port}, {@code broker} and {@code redis.*}. */
class ClusterSettingsTest {

    private static final String SECRET = "cluster-settings-test-secret-0123456789-abcdef";

    private static ServerConfig configure(Map<String, String> settings) {
        ConfigDraft draft = new ConfigDraft();
        draft.jwtSecret(SECRET);
        Settings.apply(draft, settings, "flags");
        return draft.toConfig();
    }

    @Test
    void byDefaultOneNodeOnItsOwnPortWithTheInMemoryBroker() {
        assertThat(configure(Map.of()).cluster()).isEqualTo(ClusterConfig.NONE);
    }

    @Test
    void redisAndASharedPortAreChosenBySettings() {
        ServerConfig config = configure(Map.of("broker", "redis", "redis.uri", "rediss://:pw@redis.example:6380/1",
                "reuse_port", "true", "redis.max_pending_publishes", "64", "redis.command_timeout", "500ms",
                "redis.key_prefix", "chat:", "redis.stream_ttl", "1h"));
        assertThat(config.cluster().reusePort()).isTrue();
        assertThat(config.cluster().redis()).isEqualTo(new RedisBroker.Config("rediss://:pw@redis.example:6380/1",
                "chat:", 64, Duration.ofMillis(500), Duration.ofHours(1)));
        assertThat(configure(Map.of("redis.uri", "redis://h:1")).cluster().redis()).isNull();
    }

    @Test
    void badValuesNameTheSettingAndHideThePassword() {
        assertThatThrownBy(() -> configure(Map.of("broker", "nats")))
                .hasMessageContaining("broker");
        assertThatThrownBy(() -> configure(Map.of("redis.max_pending_publishes", "0")))
                .hasMessage("flags: redis.max_pending_publishes: 0 (expected: > 0)");
        assertThatThrownBy(() -> configure(Map.of("redis.uri", "http://:hunter2@h:1")))
                .hasMessageContaining("redis.uri").satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }
}
