package io.fanwire.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fanwire.server.ServerConfig;
import io.fanwire.server.ServerConfig.AuthConfig;
import io.fanwire.server.ServerConfig.MetricsConfig;

/** {@code metrics.*} and {@code health.max_heap_ratio}, and how the configuration checks them. */
class MetricsSettingsTest {

    private static final String SECRET = "metrics-settings-test-secret-0123456789-abcdef";
    private static final String KEY = "metrics-settings-key-0123456789";

    private static ServerConfig configure(Map<String, String> settings) {
        ConfigDraft draft = new ConfigDraft();
        draft.jwtSecret(SECRET);
        Settings.apply(draft, settings, "flags");
        return draft.toConfig();
    }

    @Test
    void byDefaultMetricsAreServedWithoutAKeyAndTheHeapBudgetIs95Percent() {
        ServerConfig config = configure(Map.of());
        assertThat(config.metrics()).isEqualTo(MetricsConfig.DEFAULT);
        assertThat(config.metrics().enabled()).isTrue();
        assertThat(config.metrics().requireApiKey()).isFalse();
        assertThat(config.maxHeapRatio()).isEqualTo(ServerConfig.DEFAULT_MAX_HEAP_RATIO).isEqualTo(0.95);
    }

    @Test
    void settingsChangeThem() {
        ServerConfig config = configure(Map.of("metrics.enabled", "false", "health.max_heap_ratio", "0"));
        assertThat(config.metrics().enabled()).isFalse();
        assertThat(config.maxHeapRatio()).isZero();
        ServerConfig keyed = configure(Map.of("api.key", KEY, "metrics.require_api_key", "true",
                "health.max_heap_ratio", "0.8"));
        assertThat(keyed.metrics().requireApiKey()).isTrue();
        assertThat(keyed.maxHeapRatio()).isEqualTo(0.8);
    }

    @Test
    void badValuesNameTheSetting() {
        assertThatThrownBy(() -> configure(Map.of("health.max_heap_ratio", "1.5")))
                .hasMessage("flags: health.max_heap_ratio: 1.5 (expected: 0-1, such as 0.95)");
        assertThatThrownBy(() -> configure(Map.of("health.max_heap_ratio", "most")))
                .hasMessageContaining("health.max_heap_ratio: 'most' is not a number");
        assertThatThrownBy(() -> configure(Map.of("metrics.enabled", "sometimes")))
                .hasMessageContaining("metrics.enabled: 'sometimes' is not true or false");
    }

    @Test
    void requiringTheApiKeyNeedsOne() {
        assertThatThrownBy(() -> configure(Map.of("metrics.require_api_key", "true")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metrics.requireApiKey: true (expected: an apiKey to require, or false)");
        assertThat(configure(Map.of("metrics.enabled", "false", "metrics.require_api_key", "true")).metrics())
                .as("moot while metrics are off").isEqualTo(new MetricsConfig(false, true));
    }

    @Test
    void theRecordChecksTheRatio() {
        ServerConfig.Builder builder = ServerConfig.builder().auth(AuthConfig.disabled());
        assertThatThrownBy(() -> builder.maxHeapRatio(Double.NaN).build())
                .hasMessage("maxHeapRatio: NaN (expected: 0-1, 0 to disable)");
        assertThatThrownBy(() -> builder.maxHeapRatio(-0.5).build()).hasMessageStartingWith("maxHeapRatio: -0.5");
        assertThat(builder.maxHeapRatio(1).build().maxHeapRatio()).isEqualTo(1.0);
    }
}
