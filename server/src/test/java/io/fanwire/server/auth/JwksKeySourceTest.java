package io.fanwire.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.security.KeyPair;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fanwire.common.jwt.JwkSets;
import io.fanwire.common.jwt.JwtAlgorithm;
import io.fanwire.common.jwt.JwtKeys;
import io.fanwire.server.ServerConfig.JwksConfig;
import io.fanwire.server.metrics.ServerStats;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.JwksServer;

/** The JWKS key source against a real HTTP endpoint on 127.0.0.1: first fetch, rotation, rate limit, failures. */
class JwksKeySourceTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final KeyPair FIRST = JwtKeys.generateKeyPair(JwtAlgorithm.RS256);
    private static final KeyPair SECOND = JwtKeys.generateKeyPair(JwtAlgorithm.RS256);

    private final ServerStats stats = new ServerStats();
    private final JwksServer jwks = new JwksServer(JwtAlgorithm.RS256).publish("k1", FIRST);
    private JwksKeySource source;

    @AfterEach
    void close() {
        if (source != null) {
            source.close();
        }
        jwks.close();
    }

    private JwksKeySource start(Duration minRefresh) {
        source = new JwksKeySource(new JwksConfig(jwks.url(), Duration.ofMinutes(5), minRefresh, Duration.ofSeconds(5)),
                JwtAlgorithm.RS256, stats);
        source.start();
        return source;
    }

    @Test
    void fetchesTheKeySetAtStart() {
        start(Duration.ofSeconds(30));

        assertThat(source.keys()).containsOnlyKeys("k1").containsEntry("k1", FIRST.getPublic());
        assertThat(jwks.fetches()).isEqualTo(1);
        assertThat(stats.jwksFetches.get("ok")).isEqualTo(1);
    }

    @Test
    void anUnknownKidRefreshesOnceWithinTheMinimumInterval() {
        start(Duration.ofMinutes(1));
        jwks.publish("k2", SECOND);

        source.unknownKid("k2");
        Await.until("the rotated key", TIMEOUT, () -> source.keys().containsKey("k2"));
        for (int i = 0; i < 100; i++) {
            source.unknownKid("made-up-" + i);
        }
        // Whatever was asked for would have been fetched by now; nothing was.
        source.refresh().orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
        assertThat(jwks.fetches()).isEqualTo(3);
        assertThat(source.keys()).containsOnlyKeys("k1", "k2");
    }

    @Test
    void anUnknownKidRefreshesAgainAfterTheMinimumInterval() {
        start(Duration.ofMillis(50));
        jwks.publish("k2", SECOND).withdraw("k1");

        Await.until("the rotation to be fetched", TIMEOUT, () -> {
            source.unknownKid("k2");
            return source.keys().containsKey("k2");
        });
        assertThat(source.keys()).containsOnlyKeys("k2");
        assertThat(jwks.fetches()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aFailedFetchKeepsTheCachedKeysAndIsCounted() {
        start(Duration.ofSeconds(30));
        jwks.status(500);

        assertThat(source.refresh().orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join()).isFalse();
        assertThat(source.keys()).containsOnlyKeys("k1");
        assertThat(stats.jwksFetches.get("failed")).isEqualTo(1);

        jwks.status(200);
        jwks.withdraw("k1");
        // A set without a usable key is a failure too: it must not wipe the keys.
        assertThat(source.refresh().orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join()).isFalse();
        assertThat(source.keys()).containsOnlyKeys("k1");
    }

    @Test
    void aBodyThatStallsFailsTheFetchAndALaterRefreshStillWorks() {
        source = new JwksKeySource(new JwksConfig(jwks.url(), Duration.ofMinutes(5), Duration.ofSeconds(30),
                Duration.ofMillis(500)), JwtAlgorithm.RS256, stats);
        source.start();
        jwks.publish("k2", SECOND).stallBody(true);

        assertThat(source.refresh().orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join()).isFalse();
        assertThat(stats.jwksFetches.get("failed")).isEqualTo(1);
        assertThat(source.keys()).containsOnlyKeys("k1");

        jwks.stallBody(false);
        assertThat(source.refresh().orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join()).isTrue();
        assertThat(source.keys()).containsOnlyKeys("k1", "k2");
    }

    @Test
    void aKeySetLargerThanTheLimitIsRefused() {
        start(Duration.ofSeconds(30));
        jwks.document("{\"keys\":[]" + " ".repeat(JwkSets.MAX_DOCUMENT_CHARS) + "}");

        assertThat(source.refresh().orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join()).isFalse();
        assertThat(stats.jwksFetches.get("failed")).isEqualTo(1);
        assertThat(source.keys()).containsOnlyKeys("k1");
    }

    @Test
    void startsWithoutKeysWhenTheEndpointIsDown() {
        source = new JwksKeySource(new JwksConfig(URI.create("http://127.0.0.1:1/jwks.json"), Duration.ofMinutes(5),
                Duration.ofSeconds(30), Duration.ofSeconds(2)), JwtAlgorithm.RS256, stats);
        source.start();

        assertThat(source.keys()).isEmpty();
        assertThat(stats.jwksFetches.get("failed")).isEqualTo(1);
    }
}
