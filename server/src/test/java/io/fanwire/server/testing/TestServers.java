package io.fanwire.server.testing;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

import javax.crypto.SecretKey;

import io.fanwire.common.jwt.JwtAlgorithm;
import io.fanwire.common.jwt.JwtKeys;
import io.fanwire.common.jwt.JwtMinter;
import io.fanwire.common.jwt.JwtVerifierConfig;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.ServerConfig;
import io.fanwire.server.ServerConfig.AuthConfig;

/** Servers on 127.0.0.1 with an ephemeral port and a known HS256 secret, and tokens for them. */
public final class TestServers {

    /** The HS256 secret every test server verifies with. */
    public static final String SECRET = "test-secret-0123456789-abcdefghijklmnop";
    /** The API key of test servers. */
    public static final String API_KEY = "test-api-key-0123456789";

    private static final SecretKey KEY = JwtKeys.hmacKey(JwtAlgorithm.HS256, SECRET);
    private static final JwtMinter MINTER = new JwtMinter(JwtAlgorithm.HS256, KEY, Clock.systemUTC());

    private TestServers() {
    }

    /** A config builder for loopback with the test key, API key, one I/O thread per core. */
    public static ServerConfig.Builder config() {
        return ServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .apiKey(API_KEY)
                .shutdownQuietPeriod(Duration.ZERO)
                .auth(AuthConfig.jwt(JwtVerifierConfig.builder(JwtAlgorithm.HS256, KEY).build()));
    }

    /** A started drain-mode server with the default test config, changed by {@code customizer}. */
    public static FanwireServer start(Consumer<ServerConfig.Builder> customizer) {
        ServerConfig.Builder config = config();
        customizer.accept(config);
        return FanwireServer.builder().config(config.build()).build().start();
    }

    /** A started drain-mode server with the default test config. */
    public static FanwireServer start() {
        return start(c -> { });
    }

    /** A valid token for {@code user}, for one hour. */
    public static String token(String user) {
        return MINTER.mint(user, Duration.ofHours(1));
    }

    /** A token for {@code user} with extra claims. */
    public static String token(String user, Duration ttl, Map<String, ?> claims) {
        return MINTER.mint(user, ttl, claims);
    }
}
