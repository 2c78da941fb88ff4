package io.fanwire.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fanwire.server.ServerConfig;
import io.fanwire.server.ServerConfig.AuthConfig;

/** {@code api.port} and {@code api.host}, and how the configuration checks them. */
class ApiSettingsTest {

    private static final String SECRET = "api-settings-test-secret-0123456789-abcdef";
    private static final String KEY = "api-settings-key-0123456789";

    private static ServerConfig configure(Map<String, String> settings) {
        ConfigDraft draft = new ConfigDraft();
        draft.jwtSecret(SECRET);
        Settings.apply(draft, settings, "flags");
        return draft.toConfig();
    }

    @Test
    void byDefaultTheApiSharesTheMainPort() {
        ServerConfig config = configure(Map.of("api.key", KEY));
        assertThat(config.apiPort()).isEqualTo(ServerConfig.NO_API_PORT);
        assertThat(config.apiHost()).isEqualTo("127.0.0.1");
        assertThat(configure(Map.of("api.key", KEY, "api.port", "0")).apiPort()).isEqualTo(ServerConfig.NO_API_PORT);
    }

    @Test
    void aPortOfItsOwnWithAHost() {
        ServerConfig config = configure(Map.of("api.key", KEY, "api.port", "9100", "api.host", "10.0.0.5"));
        assertThat(config.apiPort()).isEqualTo(9100);
        assertThat(config.apiHost()).isEqualTo("10.0.0.5");
    }

    @Test
    void badPortsAreRefusedWithTheSettingsName() {
        assertThatThrownBy(() -> configure(Map.of("api.key", KEY, "api.port", "-1")))
                .hasMessageContaining("flags: api.port: -1 (expected: 1-65535, or 0 to serve the API on the main port)");
        assertThatThrownBy(() -> configure(Map.of("api.key", KEY, "api.port", "70000")))
                .hasMessageContaining("api.port: 70000");
        assertThatThrownBy(() -> configure(Map.of("api.key", KEY, "api.port", "8000")))
                .hasMessageContaining("apiPort: 8000 (expected: a port other than port 8000)");
        assertThatThrownBy(() -> configure(Map.of("api.port", "9100")))
                .hasMessageContaining("apiPort: 9100 (expected: no port of its own without an apiKey");
    }

    @Test
    void theBuilderTakesZeroForAnyFreePort() {
        ServerConfig config = ServerConfig.builder().port(0).apiKey(KEY).apiPort(0).auth(AuthConfig.disabled()).build();
        assertThat(config.apiPort()).isZero();
        assertThatThrownBy(() -> ServerConfig.builder().apiKey(KEY).apiPort(-2).auth(AuthConfig.disabled()).build())
                .hasMessageContaining("apiPort: -2");
    }
}
