package io.fanwire.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fanwire.common.jwt.JwtAlgorithm;
import io.fanwire.server.ServerConfig;
import io.fanwire.server.ServerConfig.JwksConfig;
import io.fanwire.server.ServerConfig.RateLimitConfig;

/** The settings of rate limits, token lifetime and key sets, and their defaults. */
class RateLimitSettingsTest {

    private static final String SECRET = "settings-test-secret-0123456789-abcdef";

    private static ConfigDraft draft(Map<String, String> values) {
        ConfigDraft draft = new ConfigDraft();
        Settings.apply(draft, values, "test");
        return draft;
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        ServerConfig config = draft(Map.of("auth.jwt.secret", SECRET)).toConfig();

        assertThat(config.rateLimit()).isEqualTo(RateLimitConfig.DEFAULT);
        assertThat(config.auth().tokenExpiryWarning()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.auth().jwks()).isNull();
    }

    @Test
    void setsRateLimitsAndTheTokenExpiryWarning() {
        ServerConfig config = draft(Map.of("auth.jwt.secret", SECRET, "rate_limit.capacity", "50",
                "rate_limit.refill", "2.5", "rate_limit.control_capacity", "0", "rate_limit.max_violations", "7",
                "rate_limit.violation_window", "3s", "auth.token_expiry_warning", "2m")).toConfig();

        assertThat(config.rateLimit()).isEqualTo(new RateLimitConfig(50, 2.5, 0,
                RateLimitConfig.DEFAULT_CONTROL_REFILL_PER_SECOND, 7, Duration.ofSeconds(3),
                RateLimitConfig.DEFAULT_WARNING_INTERVAL));
        assertThat(config.rateLimit().limitsControlFrames()).isFalse();
        assertThat(config.auth().tokenExpiryWarning()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> draft(Map.of("rate_limit.refill", "0")))
                .hasMessageContaining("rate_limit.refill");
        assertThatThrownBy(() -> draft(Map.of("rate_limit.capacity", "-1", "auth.jwt.secret", SECRET)).toConfig())
                .hasMessageContaining("messageCapacity: -1");
    }

    @Test
    void aJwksUrlIsEnoughForRs256AndLeavesDevelopmentMode() {
        ConfigDraft draft = draft(Map.of("auth.jwt.algorithm", "RS256",
                "auth.jwks.url", "https://issuer.example/.well-known/jwks.json", "auth.jwks.min_refresh_interval", "10s"));

        assertThat(draft.jwtKeyMissing()).isFalse();
        ServerConfig config = draft.toConfig();
        assertThat(config.auth().jwt().algorithm()).isEqualTo(JwtAlgorithm.RS256);
        assertThat(config.auth().jwt().key()).isNull();
        assertThat(config.auth().jwks()).isEqualTo(new JwksConfig(URI.create("https://issuer.example/.well-known/jwks.json"),
                JwksConfig.DEFAULT_REFRESH_INTERVAL, Duration.ofSeconds(10), JwksConfig.DEFAULT_FETCH_TIMEOUT));
    }

    @Test
    void aJwksUrlIsRefusedForHmacAndForOtherSchemes() {
        assertThatThrownBy(() -> draft(Map.of("auth.jwt.secret", SECRET,
                "auth.jwks.url", "https://issuer.example/jwks.json")).toConfig())
                .hasMessageContaining("jwks");
        assertThatThrownBy(() -> draft(Map.of("auth.jwt.algorithm", "ES256",
                "auth.jwks.url", "file:///etc/jwks.json")).toConfig())
                .hasMessageContaining("expected: an https URL, or http to a loopback address");
    }

    @Test
    void aJwksUrlMustBeHttpsUnlessItIsLoopback() {
        assertThatThrownBy(() -> JwksConfig.of(URI.create("http://issuer.example/jwks.json")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("url: http://issuer.example/jwks.json"
                        + " (expected: an https URL, or http to a loopback address)");
        for (String host : new String[] {"127.0.0.1", "127.1.2.3", "localhost", "[::1]"}) {
            assertThat(JwksConfig.of(URI.create("http://" + host + ":8080/jwks.json")).url().getHost()).isEqualTo(host);
        }
        for (String host : new String[] {"128.0.0.1", "127.0.0.1.example", "10.0.0.1", "[::2]"}) {
            assertThatThrownBy(() -> JwksConfig.of(URI.create("http://" + host + "/jwks.json")))
                    .hasMessageContaining("expected: an https URL");
        }
    }

    @Test
    void durationsThatWouldOverflowNanosecondsAreRefused() {
        Duration huge = Duration.ofHours(3_000_000);
        assertThatThrownBy(() -> RateLimitConfig.DEFAULT.withViolations(10, huge))
                .hasMessage("violationWindow: PT3000000H (expected: <= PT24H)");
        assertThatThrownBy(() -> ServerConfig.AuthConfig.disabled().withTokenExpiryWarning(huge))
                .hasMessage("tokenExpiryWarning: PT3000000H (expected: <= PT24H)");
        URI url = URI.create("https://issuer.example/jwks.json");
        assertThatThrownBy(() -> new JwksConfig(url, huge, Duration.ofSeconds(30), Duration.ofSeconds(5)))
                .hasMessage("refreshInterval: PT3000000H (expected: <= PT24H)");
        assertThatThrownBy(() -> new JwksConfig(url, Duration.ofMinutes(5), Duration.ofSeconds(30), huge))
                .hasMessage("fetchTimeout: PT3000000H (expected: <= PT5M)");
        assertThatThrownBy(() -> draft(Map.of("auth.jwt.secret", SECRET,
                "rate_limit.violation_window", "3000000h")).toConfig())
                .hasMessageContaining("expected: <= PT24H");
    }
}
