package io.fanwire.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fanwire.server.ServerConfig;
import io.fanwire.server.ServerConfig.LimitsConfig;
import io.fanwire.server.ServerConfig.ShutdownConfig;

/** The {@code shutdown.*} and {@code limits.*} settings, and how the configuration checks them. */
class LimitsSettingsTest {

    private static final String SECRET = "limits-settings-test-secret-0123456789-abcdef";

    private static ServerConfig configure(Map<String, String> settings) {
        ConfigDraft draft = new ConfigDraft();
        draft.jwtSecret(SECRET);
        Settings.apply(draft, settings, "flags");
        return draft.toConfig();
    }

    @Test
    void defaultsDrainForThirtySecondsAndLimitOnlyTheRequestTime() {
        ServerConfig config = configure(Map.of());
        assertThat(config.shutdown()).isEqualTo(ShutdownConfig.DEFAULT);
        assertThat(config.limits()).isEqualTo(LimitsConfig.DEFAULT);
        assertThat(config.shutdown().timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.limits().requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.limits().maxConnections()).isZero();
        assertThat(config.limits().maxLifetime()).isZero();
    }

    @Test
    void everySettingReachesTheConfiguration() {
        ServerConfig config = configure(Map.of(
                "shutdown.timeout", "2m", "shutdown.close_rate", "250", "shutdown.retry_after", "500ms",
                "shutdown.retry_jitter", "0",
                "limits.max_connections", "50000", "limits.max_connections_per_ip", "100",
                "limits.handshake_rate_per_ip", "20", "limits.request_timeout", "3s",
                "limits.max_lifetime", "1h", "limits.lifetime_jitter", "10m"));
        assertThat(config.shutdown()).isEqualTo(new ShutdownConfig(Duration.ofMinutes(2), 250, Duration.ofMillis(500),
                Duration.ZERO));
        assertThat(config.limits()).isEqualTo(new LimitsConfig(50_000, 100, 20, Duration.ofSeconds(3),
                Duration.ofHours(1), Duration.ofMinutes(10)));
    }

    @Test
    void outOfRangeValuesAreRefusedWithTheirName() {
        assertThatThrownBy(() -> configure(Map.of("shutdown.close_rate", "0")))
                .hasMessageContaining("closesPerSecond: 0 (expected: > 0)");
        assertThatThrownBy(() -> configure(Map.of("limits.request_timeout", "0s")))
                .hasMessageContaining("requestTimeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> configure(Map.of("limits.max_connections", "-1")))
                .hasMessageContaining("maxConnections: -1 (expected: >= 0)");
        assertThatThrownBy(() -> configure(Map.of("limits.max_lifetime", "1m", "limits.lifetime_jitter", "1m")))
                .hasMessageContaining("lifetimeJitter: PT1M (expected: < maxLifetime PT1M)");
        assertThatThrownBy(() -> Settings.apply(new ConfigDraft(), Map.of("shutdown.timeout", "soon"), "flags"))
                .hasMessageContaining("shutdown.timeout: 'soon' is not a duration");
    }
}
