package io.fanwire.common.jwt;

import static io.fanwire.common.jwt.Tokens.CLOCK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.fanwire.common.jwt.TokenRejectedException.Reason;
import io.jsonwebtoken.security.Jwks;

/** Key sets (JWKS): reading them with jjwt's parser, and verifying tokens by their {@code kid}. */
class JwkSetsTest {

    /** A JWK Set document of {@code jwks}, each already JSON. */
    static String document(String... jwks) {
        return "{\"keys\":[" + String.join(",", jwks) + "]}";
    }

    static String jwk(PublicKey key, String kid) {
        return Jwks.json(Jwks.builder().key(key).id(kid).build());
    }

    @Nested
    class Reading {

        @Test
        void readsRsaAndEcPublicKeysByKid() {
            KeyPair rsa = Tokens.rsa();
            KeyPair ec = Tokens.ec();
            String json = document(jwk(rsa.getPublic(), "rsa-1"), jwk(ec.getPublic(), "ec-1"));

            assertThat(JwkSets.verificationKeys(JwtAlgorithm.RS256, json)).containsOnlyKeys("rsa-1")
                    .containsEntry("rsa-1", rsa.getPublic());
            assertThat(JwkSets.verificationKeys(JwtAlgorithm.ES256, json)).containsOnlyKeys("ec-1")
                    .containsEntry("ec-1", ec.getPublic());
        }

        @Test
        void skipsKeysThatCannotVerifyTheAlgorithm() throws Exception {
            // Distinct key material each: jjwt's set keeps one JWK per key.
            KeyPairGenerator small = KeyPairGenerator.getInstance("RSA");
            small.initialize(1024);
            String noKid = Jwks.json(Jwks.builder().key(rsaPublic()).build());
            String encryption = jwk(rsaPublic(), "enc-1").replace("{", "{\"use\":\"enc\",");
            String otherAlg = jwk(rsaPublic(), "ps-1").replace("{", "{\"alg\":\"PS256\",");
            String priv = Jwks.UNSAFE_JSON(Jwks.builder().key(java.security.interfaces.RSAPrivateCrtKey.class
                    .cast(JwtKeys.generateKeyPair(JwtAlgorithm.RS256).getPrivate())).id("private-1").build());
            String symmetric = "{\"kty\":\"oct\",\"kid\":\"oct-1\",\"k\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY\"}";
            String unknownType = "{\"kty\":\"OKP-NEW\",\"kid\":\"x-1\",\"x\":\"AAAA\"}";
            String json = document(noKid, encryption, otherAlg, priv, symmetric, unknownType,
                    jwk(small.generateKeyPair().getPublic(), "weak-1"), jwk(Tokens.rsa().getPublic(), "good-1"));

            assertThat(JwkSets.verificationKeys(JwtAlgorithm.RS256, json)).containsOnlyKeys("good-1");
        }

        private PublicKey rsaPublic() {
            return JwtKeys.generateKeyPair(JwtAlgorithm.RS256).getPublic();
        }

        @Test
        void refusesWhatIsNotAKeySetAndHmacAlgorithms() {
            assertThatIllegalArgumentException().isThrownBy(() -> JwkSets.verificationKeys(JwtAlgorithm.RS256, "[]"));
            assertThatIllegalArgumentException().isThrownBy(() -> JwkSets.verificationKeys(JwtAlgorithm.RS256, "{\"keys\":"));
            assertThatIllegalArgumentException().isThrownBy(() -> JwkSets.verificationKeys(JwtAlgorithm.HS256,
                    document()));
            assertThatIllegalArgumentException().isThrownBy(() -> JwkSets.verificationKeys(JwtAlgorithm.RS256,
                    " ".repeat(JwkSets.MAX_DOCUMENT_CHARS + 1)));
            // jjwt refuses a set without keys; a key source then keeps the keys it has.
            assertThatIllegalArgumentException().isThrownBy(() -> JwkSets.verificationKeys(JwtAlgorithm.RS256,
                    document()));
        }
    }

    /** A key set a test changes by hand, recording what the verifier asked for. */
    static final class FakeKeySet implements JwtKeySet {
        final AtomicReference<Map<String, PublicKey>> keys = new AtomicReference<>(Map.of());
        final List<String> unknown = new CopyOnWriteArrayList<>();

        @Override
        public Map<String, PublicKey> keys() {
            return keys.get();
        }

        @Override
        public void unknownKid(String kid) {
            unknown.add(kid);
        }
    }

    @Nested
    class Verifying {

        private final KeyPair current = Tokens.rsa();
        private final KeyPair next = JwtKeys.generateKeyPair(JwtAlgorithm.RS256);
        private final FakeKeySet set = new FakeKeySet();
        private final JwtVerifier verifier = new JwtVerifier(
                JwtVerifierConfig.builder(JwtAlgorithm.RS256, null).build(), set, CLOCK);

        private String token(KeyPair pair, String kid) {
            JwtMinter minter = new JwtMinter(JwtAlgorithm.RS256, pair.getPrivate(), CLOCK);
            return (kid == null ? minter : minter.withKeyId(kid)).mint("alice", Duration.ofMinutes(5));
        }

        private Reason rejection(JwtVerifier v, String token) {
            TokenRejectedException e = catchThrowableOfType(TokenRejectedException.class, () -> v.verify(token));
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).doesNotContain("current-1", "next-1");
            return e.reason();
        }

        @Test
        void verifiesByKidAndFollowsARotation() throws Exception {
            set.keys.set(Map.of("current-1", current.getPublic()));
            assertThat(verifier.verify(token(current, "current-1")).subject()).isEqualTo("alice");

            assertThat(rejection(verifier, token(next, "next-1"))).isEqualTo(Reason.UNKNOWN_KEY);
            assertThat(set.unknown).containsExactly("next-1");

            set.keys.set(Map.of("current-1", current.getPublic(), "next-1", next.getPublic()));
            assertThat(verifier.verify(token(next, "next-1")).subject()).isEqualTo("alice");
            set.keys.set(Map.of("next-1", next.getPublic()));
            assertThat(rejection(verifier, token(current, "current-1"))).isEqualTo(Reason.UNKNOWN_KEY);
        }

        @Test
        void aKidIsBoundToItsKey() {
            set.keys.set(Map.of("current-1", current.getPublic(), "next-1", next.getPublic()));

            assertThat(rejection(verifier, token(next, "current-1"))).isEqualTo(Reason.BAD_SIGNATURE);
            assertThat(set.unknown).isEmpty();
        }

        @Test
        void aTokenWithoutKidNeedsAConfiguredKey() throws Exception {
            set.keys.set(Map.of("current-1", current.getPublic()));
            assertThat(rejection(verifier, token(current, null))).isEqualTo(Reason.UNKNOWN_KEY);
            assertThat(set.unknown).isEmpty();

            JwtVerifier withKey = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.RS256, next.getPublic()).build(),
                    set, CLOCK);
            assertThat(withKey.verify(token(next, null)).subject()).isEqualTo("alice");
            assertThat(withKey.verify(token(current, "current-1")).subject()).isEqualTo("alice");
            // An unknown kid falls back to the configured key; a token that key verifies is not a reason to refetch.
            assertThat(withKey.verify(token(next, "elsewhere")).subject()).isEqualTo("alice");
            assertThat(set.unknown).isEmpty();
            // Only when the fallback fails too is the kid unknown, and reported once.
            assertThat(rejection(withKey, token(current, "elsewhere"))).isEqualTo(Reason.UNKNOWN_KEY);
            assertThat(set.unknown).containsExactly("elsewhere");
        }

        @Test
        void verifiesEs256FromAKeySet() throws Exception {
            KeyPair ec = Tokens.ec();
            FakeKeySet ecSet = new FakeKeySet();
            ecSet.keys.set(JwkSets.verificationKeys(JwtAlgorithm.ES256, document(jwk(ec.getPublic(), "ec-1"))));
            JwtVerifier es256 = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.ES256, null).build(), ecSet, CLOCK);

            String token = new JwtMinter(JwtAlgorithm.ES256, ec.getPrivate(), CLOCK).withKeyId("ec-1")
                    .mint("bob", Duration.ofMinutes(5));
            assertThat(es256.verify(token).subject()).isEqualTo("bob");
        }

        @Test
        void refusesAKeySetForHmacAndNoKeyAtAll() {
            assertThatIllegalArgumentException().isThrownBy(() -> new JwtVerifier(
                    JwtVerifierConfig.builder(JwtAlgorithm.HS256, JwtKeys.hmacKey(JwtAlgorithm.HS256, Tokens.SECRET_TEXT))
                            .build(), set, CLOCK));
            assertThatIllegalArgumentException().isThrownBy(() -> new JwtVerifier(
                    JwtVerifierConfig.builder(JwtAlgorithm.RS256, null).build(), CLOCK));
            assertThatIllegalArgumentException().isThrownBy(() ->
                    JwtVerifierConfig.builder(JwtAlgorithm.HS256, null).build());
        }
    }
}
