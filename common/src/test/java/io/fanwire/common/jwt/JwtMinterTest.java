package io.fanwire.common.jwt;

import static io.fanwire.common.jwt.Tokens.CLOCK;
import static io.fanwire.common.jwt.Tokens.NOW;
import static io.fanwire.common.jwt.Tokens.decode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.Key;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.fanwire.common.jwt.TokenRejectedException.Reason;

class JwtMinterTest {

    private static final SecretKey SECRET = JwtKeys.hmacKey(JwtAlgorithm.HS256, Tokens.SECRET_TEXT);

    /** A signing key and the matching verification key for {@code algorithm}. */
    private static Key[] keys(JwtAlgorithm algorithm) {
        return switch (algorithm) {
            case HS256, HS384, HS512 -> {
                SecretKey secret = JwtKeys.hmacKey(algorithm, JwtKeys.randomHmacSecret());
                yield new Key[] {secret, secret};
            }
            case RS256 -> new Key[] {Tokens.rsa().getPrivate(), Tokens.rsa().getPublic()};
            case ES256 -> new Key[] {Tokens.ec().getPrivate(), Tokens.ec().getPublic()};
        };
    }

    @ParameterizedTest
    @EnumSource(JwtAlgorithm.class)
    void mintsTokensThatTheVerifierAccepts(JwtAlgorithm algorithm) throws Exception {
        Key[] keys = keys(algorithm);
        JwtMinter minter = new JwtMinter(algorithm, keys[0], CLOCK);
        JwtVerifier verifier = new JwtVerifier(JwtVerifierConfig.builder(algorithm, keys[1]).build(), CLOCK);

        String token = minter.mint("alice", Duration.ofMinutes(5), Map.of("room", "lobby"));
        VerifiedToken verified = verifier.verify(token);

        assertThat(decode(token.substring(0, token.indexOf('.')))).isEqualTo("{\"alg\":\"" + algorithm + "\"}");
        assertThat(minter.algorithm()).isEqualTo(algorithm);
        assertThat(verified.subject()).isEqualTo("alice");
        assertThat(verified.expiresAt()).isEqualTo(NOW.plusSeconds(300));
        assertThat(verified.claims()).containsEntry("iat", NOW.getEpochSecond()).containsEntry("room", "lobby");
    }

    @Test
    void givesEveryTokenADistinctId() throws Exception {
        JwtMinter minter = new JwtMinter(JwtAlgorithm.HS256, SECRET, CLOCK);
        JwtVerifier verifier = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.HS256, SECRET).build(), CLOCK);

        Object first = verifier.verify(minter.mint("a", Duration.ofMinutes(1))).claims().get("jti");
        Object second = verifier.verify(minter.mint("a", Duration.ofMinutes(1))).claims().get("jti");

        assertThat(first).isInstanceOf(String.class).isNotEqualTo(second);
    }

    @Test
    void letsExtraClaimsOverrideStandardOnesAndNullRemoveThem() throws Exception {
        JwtMinter minter = new JwtMinter(JwtAlgorithm.HS256, SECRET, CLOCK).withIssuer("https://auth.example")
                .withAudience("fanwire");
        Map<String, Object> extra = new HashMap<>();
        extra.put("iss", "https://other.example");
        extra.put("aud", List.of("billing"));
        extra.put("exp", NOW.plusSeconds(60));
        extra.put("nbf", NOW.getEpochSecond() - 10);
        extra.put("jti", null);
        JwtVerifier verifier = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.HS256, SECRET).build(), CLOCK);

        VerifiedToken verified = verifier.verify(minter.mint("alice", Duration.ofHours(1), extra));

        assertThat(verified.expiresAt()).isEqualTo(NOW.plusSeconds(60));
        assertThat(verified.claims()).containsEntry("iss", "https://other.example")
                .containsEntry("aud", List.of("billing"))
                .containsEntry("nbf", NOW.getEpochSecond() - 10)
                .doesNotContainKey("jti");
    }

    @Test
    void setsIssuerAndAudienceForAStrictVerifier() throws Exception {
        JwtVerifier strict = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.HS256, SECRET)
                .issuer("https://auth.example").audience("fanwire").build(), CLOCK);
        JwtMinter plain = new JwtMinter(JwtAlgorithm.HS256, SECRET, CLOCK);

        String token = plain.withIssuer("https://auth.example").withAudience("fanwire")
                .mint("a", Duration.ofMinutes(1));

        assertThat(strict.verify(token).claims()).containsEntry("aud", List.of("fanwire"));
        assertThatThrownBy(() -> strict.verify(plain.mint("a", Duration.ofMinutes(1))))
                .isInstanceOfSatisfying(TokenRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_ISSUER));
    }

    @Test
    void isSafeToShareBetweenThreads() {
        JwtMinter minter = new JwtMinter(JwtAlgorithm.ES256, Tokens.ec().getPrivate(), CLOCK);
        JwtVerifier verifier = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.ES256, Tokens.ec().getPublic())
                .build(), CLOCK);
        Set<String> subjects = ConcurrentHashMap.newKeySet();

        IntStream.range(0, 200).parallel().forEach(i -> {
            try {
                subjects.add(verifier.verify(minter.mint("user-" + i, Duration.ofMinutes(1))).subject());
            } catch (TokenRejectedException e) {
                throw new AssertionError(e.reason() + ": " + e.getMessage(), e);
            }
        });

        assertThat(subjects).hasSize(200);
    }

    @Test
    void refusesWeakOrMismatchedSigningKeys() throws Exception {
        KeyPair smallRsa = Tokens.generate("RSA", 1024);
        KeyPair p384 = Tokens.generateEc("secp384r1");

        assertThatIllegalArgumentException()
                .isThrownBy(() -> new JwtMinter(JwtAlgorithm.HS256, new SecretKeySpec(new byte[31], "HmacSHA256"),
                        CLOCK))
                .withMessage("jwt key: HS256 needs a secret of at least 32 bytes, got 31");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new JwtMinter(JwtAlgorithm.HS512, SECRET, CLOCK))
                .withMessage("jwt key: HS512 needs a secret of at least 64 bytes, got 32");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new JwtMinter(JwtAlgorithm.RS256, smallRsa.getPrivate(), CLOCK))
                .withMessage("jwt key: RS256 needs an RSA key of at least 2048 bits, got 1024");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new JwtMinter(JwtAlgorithm.RS256, Tokens.rsa().getPublic(), CLOCK))
                .withMessage("jwt key: RS256 needs an RSA private key, got RSA public key");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new JwtMinter(JwtAlgorithm.ES256, Tokens.rsa().getPrivate(), CLOCK))
                .withMessage("jwt key: ES256 needs an EC private key, got RSA private key");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new JwtMinter(JwtAlgorithm.ES256, p384.getPrivate(), CLOCK))
                .withMessageStartingWith("jwt key: ES256 needs an EC key on curve P-256");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new JwtMinter(JwtAlgorithm.HS256, Tokens.ec().getPrivate(), CLOCK))
                .withMessage("jwt key: HS256 needs a secret key, got EC private key");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new JwtMinter(JwtAlgorithm.HS256, null, CLOCK))
                .withMessage("jwt key: missing (HS256 needs one)");
    }
}
