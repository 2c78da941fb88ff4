package io.fanwire.microbench;

import java.security.Key;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.fanwire.common.jwt.JwtAlgorithm;
import io.fanwire.common.jwt.JwtKeys;
import io.fanwire.common.jwt.JwtMinter;
import io.fanwire.common.jwt.JwtVerifier;
import io.fanwire.common.jwt.JwtVerifierConfig;
import io.fanwire.common.jwt.TokenRejectedException;
import io.fanwire.common.jwt.VerifiedToken;

/**
 * {@link JwtVerifier#verify} of a valid token, the work of every WebSocket handshake: our pre-check of shape
 * and header, then jjwt's signature and claim checks, then the claims copied out. The token is a realistic
 * one (issuer, audience, a topic ACL claim; about 400 characters) and the verifier checks issuer and audience.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {EventLoopLikeExecutor.JMH_EXECUTOR, EventLoopLikeExecutor.JMH_EXECUTOR_CLASS})
public class JwtBenchmark {

    private static final String ISSUER = "https://auth.example.com";
    private static final String AUDIENCE = "fanwire";

    @Param({"HS256", "ES256"})
    public JwtAlgorithm algorithm;

    private JwtVerifier verifier;
    private String token;

    @Setup(Level.Trial)
    public void setUp() throws TokenRejectedException {
        Key signingKey;
        Key verificationKey;
        if (algorithm.hmac()) {
            signingKey = JwtKeys.hmacKey(algorithm, JwtKeys.randomHmacSecret());
            verificationKey = signingKey;
        } else {
            KeyPair pair = JwtKeys.generateKeyPair(algorithm);
            signingKey = pair.getPrivate();
            verificationKey = pair.getPublic();
        }
        Clock clock = Clock.systemUTC();
        // Valid for an hour: far longer than a run, so no iteration meets an expired token.
        token = new JwtMinter(algorithm, signingKey, clock).withIssuer(ISSUER).withAudience(AUDIENCE)
                .mint("user-4711", Duration.ofHours(1), Map.of(
                        "name", "Ada Lovelace",
                        "fanwire_topics", Map.of("allow", List.of("chat.*", "presence.*"), "deny", List.of("chat.admin"))));
        verifier = new JwtVerifier(JwtVerifierConfig.builder(algorithm, verificationKey)
                .issuer(ISSUER).audience(AUDIENCE).build(), clock);
        verifier.verify(token);
    }

    @Benchmark
    public VerifiedToken verify() throws TokenRejectedException {
        return verifier.verify(token);
    }
}
