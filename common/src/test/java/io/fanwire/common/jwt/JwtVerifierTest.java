package io.fanwire.common.jwt;

import static io.fanwire.common.jwt.Tokens.CLOCK;
import static io.fanwire.common.jwt.Tokens.NOW;
import static io.fanwire.common.jwt.Tokens.b64;
import static io.fanwire.common.jwt.Tokens.claims;
import static io.fanwire.common.jwt.Tokens.hmacSigned;
import static io.fanwire.common.jwt.Tokens.secretBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fanwire.common.jwt.TokenRejectedException.Reason;
import io.jsonwebtoken.Jwts;

class JwtVerifierTest {

    private static final SecretKey SECRET = JwtKeys.hmacKey(JwtAlgorithm.HS256, Tokens.SECRET_TEXT);
    private static final String HS256_HEADER = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

    private final JwtVerifier verifier = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.HS256, SECRET).build(),
            CLOCK);
    private final JwtMinter minter = new JwtMinter(JwtAlgorithm.HS256, SECRET, CLOCK);

    private static Reason rejection(JwtVerifier verifier, String token) {
        TokenRejectedException e = catchThrowableOfType(TokenRejectedException.class, () -> verifier.verify(token));
        assertThat(e).as("token should be rejected").isNotNull();
        assertThat(e.getMessage()).isNotBlank();
        if (token != null && token.length() > 20) {
            // Tokens are credentials; a rejection message ends up in logs.
            assertThat(e.getMessage()).doesNotContain(token.substring(token.indexOf('.') + 1));
        }
        return e.reason();
    }

    private Reason rejection(String token) {
        return rejection(verifier, token);
    }

    private static String hs256(String payloadJson) throws GeneralSecurityException {
        return hmacSigned("HmacSHA256", secretBytes(), HS256_HEADER, payloadJson);
    }

    @Test
    void everyReasonHasATokenThatTriggersIt() throws Exception {
        long now = NOW.getEpochSecond();
        String valid = minter.mint("alice", Duration.ofMinutes(1));
        SecretKey other = JwtKeys.hmacKey(JwtAlgorithm.HS256, "another secret of thirty-two byte");
        JwtVerifier strict = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.HS256, SECRET)
                .issuer("https://auth.example").audience("fanwire").build(), CLOCK);
        Map<Reason, Reason> seen = new EnumMap<>(Reason.class);
        List<Object[]> cases = List.of(
                new Object[] {Reason.TOO_LARGE, verifier, "x".repeat(8 * 1024 + 1)},
                new Object[] {Reason.MALFORMED, verifier, "garbage"},
                new Object[] {Reason.UNSECURED, verifier, b64("{\"alg\":\"none\"}") + "." + b64(claims("")) + "."},
                new Object[] {Reason.COMPRESSED, verifier,
                        hmacSigned("HmacSHA256", secretBytes(), "{\"alg\":\"HS256\",\"zip\":\"DEF\"}", "x")},
                new Object[] {Reason.WRONG_ALGORITHM, verifier,
                        hmacSigned("HmacSHA512", secretBytes(), "{\"alg\":\"HS512\"}", claims(""))},
                new Object[] {Reason.BAD_SIGNATURE, verifier,
                        new JwtMinter(JwtAlgorithm.HS256, other, CLOCK).mint("alice", Duration.ofMinutes(1))},
                new Object[] {Reason.EXPIRED, verifier, hs256("{\"sub\":\"a\",\"exp\":" + (now - 31) + "}")},
                new Object[] {Reason.NOT_YET_VALID, verifier,
                        hs256("{\"sub\":\"a\",\"exp\":" + (now + 99) + ",\"nbf\":" + (now + 31) + "}")},
                new Object[] {Reason.MISSING_EXPIRY, verifier, hs256("{\"sub\":\"a\"}")},
                new Object[] {Reason.MISSING_SUBJECT, verifier, hs256("{\"exp\":" + (now + 60) + "}")},
                new Object[] {Reason.WRONG_ISSUER, strict, hs256(claims("\"iss\":\"x\",\"aud\":\"fanwire\""))},
                new Object[] {Reason.WRONG_AUDIENCE, strict,
                        hs256(claims("\"iss\":\"https://auth.example\",\"aud\":\"x\""))},
                new Object[] {Reason.UNKNOWN_KEY, new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.RS256, null)
                        .build(), new JwkSetsTest.FakeKeySet(), CLOCK),
                        new JwtMinter(JwtAlgorithm.RS256, Tokens.rsa().getPrivate(), CLOCK).withKeyId("k")
                                .mint("alice", Duration.ofMinutes(1))});

        for (Object[] c : cases) {
            Reason reason = rejection((JwtVerifier) c[1], (String) c[2]);
            assertThat(reason).as("expected %s", c[0]).isEqualTo(c[0]);
            seen.put(reason, reason);
        }

        assertThat(seen.keySet()).containsExactlyInAnyOrder(Reason.values());
        assertThat(verifier.verify(valid).subject()).isEqualTo("alice");
    }

    @Test
    void acceptsAValidTokenAndReturnsEveryClaimAsPlainJson() throws Exception {
        Map<String, Object> acl = Map.of("allow", List.of("chat.*", "news.>"), "deny", List.of("chat.admin"));
        String token = minter.mint("alice", Duration.ofMinutes(10),
                Map.of("fanwire_topics", acl, "tier", 3, "beta", true));

        VerifiedToken verified = verifier.verify(token);

        assertThat(verified.subject()).isEqualTo("alice");
        assertThat(verified.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
        Map<String, Object> claims = verified.claims();
        assertThat(claims).containsEntry("sub", "alice")
                .containsEntry("exp", NOW.getEpochSecond() + 600)
                .containsEntry("iat", NOW.getEpochSecond())
                .containsEntry("tier", 3)
                .containsEntry("beta", true)
                .containsKey("jti");
        assertThat(claims.get("fanwire_topics")).isInstanceOf(Map.class);
        Map<?, ?> topics = (Map<?, ?>) claims.get("fanwire_topics");
        assertThat(topics.get("allow")).isInstanceOf(List.class).isEqualTo(List.of("chat.*", "news.>"));
        assertThat(topics.get("deny")).isEqualTo(List.of("chat.admin"));
    }

    @Test
    void keepsNestedNullsAndDropsTopLevelNulls() throws Exception {
        VerifiedToken verified = verifier.verify(hs256(claims("\"gone\":null,\"nested\":{\"a\":null,\"b\":[1,null]}")));

        assertThat(verified.claims()).doesNotContainKey("gone");
        Map<?, ?> nested = (Map<?, ?>) verified.claims().get("nested");
        assertThat(nested.containsKey("a")).isTrue();
        assertThat(nested.get("a")).isNull();
        assertThat(nested.get("b")).isEqualTo(Arrays.asList(1, null));
    }

    @Test
    void claimsAreUnmodifiable() throws Exception {
        VerifiedToken verified = verifier.verify(hs256(claims("\"acl\":{\"allow\":[\"a\"]}")));
        Map<?, ?> acl = (Map<?, ?>) verified.claims().get("acl");

        assertThat(acl).isUnmodifiable();
        assertThat((List<?>) acl.get("allow")).isUnmodifiable();
        assertThat(verified.claims()).isUnmodifiable();
    }

    @Nested
    class TooLarge {

        @Test
        void rejectsATokenOverEightKibibytes() {
            String token = minter.mint("alice", Duration.ofMinutes(1), Map.of("pad", "x".repeat(9 * 1024)));

            assertThat(token.length()).isGreaterThan(8 * 1024);
            assertThat(rejection(token)).isEqualTo(Reason.TOO_LARGE);
        }

        @Test
        void rejectsBeforeParsing() {
            // Not a token at all: only the size check can have produced TOO_LARGE.
            assertThat(rejection("!".repeat(9 * 1024))).isEqualTo(Reason.TOO_LARGE);
        }

        @Test
        void honoursTheConfiguredLimit() throws Exception {
            String token = minter.mint("alice", Duration.ofMinutes(1));
            JwtVerifier strict = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.HS256, SECRET)
                    .maxTokenBytes(token.length()).build(), CLOCK);
            JwtVerifier stricter = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.HS256, SECRET)
                    .maxTokenBytes(token.length() - 1).build(), CLOCK);

            assertThat(strict.verify(token).subject()).isEqualTo("alice");
            assertThat(rejection(stricter, token)).isEqualTo(Reason.TOO_LARGE);
        }
    }

    @Nested
    class Malformed {

        @ParameterizedTest
        @ValueSource(strings = {"", "garbage", "Bearer x.y.z", "a.b", "a.b.c.d", "a.b.c.d.e.f", "!!!.???.***",
                "eyJhbGciOiJIUzI1NiJ9.e30.c2ln=", "A.e30.c2ln", ".e30.c2ln", "é.e30.c2ln"})
        void rejectsTextThatIsNotACompactJws(String token) {
            assertThat(rejection(token)).isEqualTo(Reason.MALFORMED);
        }

        @Test
        void rejectsNull() {
            assertThat(rejection(null)).isEqualTo(Reason.MALFORMED);
        }

        @ParameterizedTest
        @ValueSource(strings = {"not json", "[\"alg\",\"HS256\"]", "\"HS256\"", "{\"typ\":\"JWT\"}",
                "{\"alg\":256}", "{\"alg\":\"HS256\"", "{\"alg\":\"HS256\"} {}", "{\"alg\":\"HS256\",\"alg\":\"none\"}",
                "{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1}",
                "{\"alg\":\"HS256\",\"b64\":false,\"crit\":[\"b64\"]}",
                "{\"alg\":\"HS256\",\"enc\":\"A128GCM\"}", "{\"alg\":\"HS256\",\"x\":[[[[[[[[[[1]]]]]]]]]]}"})
        void rejectsABadHeaderEvenWhenSigned(String headerJson) throws Exception {
            String token = hmacSigned("HmacSHA256", secretBytes(), headerJson, claims(""));

            assertThat(rejection(token)).isEqualTo(Reason.MALFORMED);
        }

        @ParameterizedTest
        @ValueSource(strings = {"hello", "[1,2]", "\"alice\"", "{\"sub\":\"alice\"", "{\"sub\":\"a\",\"sub\":\"b\"}",
                "{\"sub\":\"alice\",\"exp\":\"tomorrow\"}", "{\"sub\":{\"id\":1},\"exp\":1900000000}"})
        void rejectsASignedPayloadThatIsNotJsonClaims(String payload) throws Exception {
            assertThat(rejection(hs256(payload))).isEqualTo(Reason.MALFORMED);
        }

        @Test
        void rejectsClaimsDeclaredAsOtherContent() throws Exception {
            String token = hmacSigned("HmacSHA256", secretBytes(), "{\"alg\":\"HS256\",\"cty\":\"JWT\"}", claims(""));

            assertThat(rejection(token)).isEqualTo(Reason.MALFORMED);
        }

        @Test
        void rejectsAnEncryptedToken() {
            SecretKey key = Jwts.ENC.A128GCM.key().build();
            String jwe = Jwts.builder().subject("alice").encryptWith(key, Jwts.ENC.A128GCM).compact();

            assertThat(jwe.chars().filter(c -> c == '.').count()).isEqualTo(4);
            assertThat(rejection(jwe)).isEqualTo(Reason.MALFORMED);
        }

        @Test
        void rejectsASignatureThatIsNotBase64url() throws Exception {
            String token = hs256(claims(""));
            String broken = token.substring(0, token.lastIndexOf('.') + 1) + "A";

            assertThat(rejection(broken)).isEqualTo(Reason.MALFORMED);
        }
    }

    @Nested
    class Unsecured {

        @ParameterizedTest
        @ValueSource(strings = {"none", "None", "NONE"})
        void rejectsAlgNoneWithoutSignature(String alg) {
            String token = b64("{\"alg\":\"" + alg + "\"}") + "." + b64(claims("")) + ".";

            assertThat(rejection(token)).isEqualTo(Reason.UNSECURED);
        }

        @Test
        void rejectsAlgNoneWithASignatureCopiedFromAValidToken() {
            String valid = minter.mint("alice", Duration.ofMinutes(1));
            String token = b64("{\"alg\":\"none\"}") + "." + b64(claims("")) + valid.substring(valid.lastIndexOf('.'));

            assertThat(rejection(token)).isEqualTo(Reason.UNSECURED);
        }

        @Test
        void rejectsAValidTokenWithItsSignatureStripped() {
            String valid = minter.mint("alice", Duration.ofMinutes(1));
            String stripped = valid.substring(0, valid.lastIndexOf('.') + 1);

            assertThat(rejection(stripped)).isEqualTo(Reason.UNSECURED);
        }
    }

    @Nested
    class Compressed {

        @Test
        void rejectsACorrectlySignedDeflatedToken() throws Exception {
            byte[] json = claims("").getBytes(StandardCharsets.UTF_8);
            Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            deflater.setInput(json);
            deflater.finish();
            ByteArrayOutputStream deflated = new ByteArrayOutputStream();
            byte[] buffer = new byte[256];
            while (!deflater.finished()) {
                deflated.write(buffer, 0, deflater.deflate(buffer));
            }
            deflater.end();
            String input = b64("{\"alg\":\"HS256\",\"zip\":\"DEF\"}") + "." + b64(deflated.toByteArray());

            assertThat(rejection(hmacSigned("HmacSHA256", secretBytes(), input))).isEqualTo(Reason.COMPRESSED);
        }

        @Test
        void rejectsAnyZipHeaderWithoutLookingAtThePayload() throws Exception {
            String token = hmacSigned("HmacSHA256", secretBytes(), "{\"alg\":\"HS256\",\"zip\":\"GZIP\"}", "junk");

            assertThat(rejection(token)).isEqualTo(Reason.COMPRESSED);
        }
    }

    @Nested
    class WrongAlgorithm {

        @Test
        void rejectsHs256SignedWithTheRsaPublicKeyAsItsSecret() throws Exception {
            KeyPair rsa = Tokens.rsa();
            JwtVerifier rs256 = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.RS256, rsa.getPublic()).build(),
                    CLOCK);
            byte[] der = rsa.getPublic().getEncoded();
            byte[] pem = JwtKeys.publicKeyPem(rsa.getPublic()).getBytes(StandardCharsets.US_ASCII);

            assertThat(rejection(rs256, hmacSigned("HmacSHA256", der, HS256_HEADER, claims(""))))
                    .isEqualTo(Reason.WRONG_ALGORITHM);
            assertThat(rejection(rs256, hmacSigned("HmacSHA256", pem, HS256_HEADER, claims(""))))
                    .isEqualTo(Reason.WRONG_ALGORITHM);
        }

        @Test
        void rejectsAnotherHmacStrength() {
            SecretKey long64 = JwtKeys.hmacKey(JwtAlgorithm.HS512, Tokens.SECRET_TEXT.repeat(2));
            String hs512 = new JwtMinter(JwtAlgorithm.HS512, long64, CLOCK).mint("alice", Duration.ofMinutes(1));
            JwtVerifier hs256 = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.HS256, long64).build(), CLOCK);

            assertThat(rejection(hs256, hs512)).isEqualTo(Reason.WRONG_ALGORITHM);
        }

        @Test
        void rejectsEs256WhenRs256IsConfigured() {
            String es256 = new JwtMinter(JwtAlgorithm.ES256, Tokens.ec().getPrivate(), CLOCK)
                    .mint("alice", Duration.ofMinutes(1));
            JwtVerifier rs256 = new JwtVerifier(
                    JwtVerifierConfig.builder(JwtAlgorithm.RS256, Tokens.rsa().getPublic()).build(), CLOCK);

            assertThat(rejection(rs256, es256)).isEqualTo(Reason.WRONG_ALGORITHM);
        }

        @ParameterizedTest
        @ValueSource(strings = {"hs256", "HS256 ", "PS256", "ES256K", "RS256"})
        void comparesTheAlgorithmExactly(String alg) throws Exception {
            String token = hmacSigned("HmacSHA256", secretBytes(), "{\"alg\":\"" + alg + "\"}", claims(""));

            assertThat(rejection(token)).isEqualTo(Reason.WRONG_ALGORITHM);
        }
    }

    @Nested
    class BadSignature {

        @Test
        void rejectsATokenSignedWithAnotherSecret() {
            SecretKey other = JwtKeys.hmacKey(JwtAlgorithm.HS256, "another secret of thirty-two byte");
            String token = new JwtMinter(JwtAlgorithm.HS256, other, CLOCK).mint("alice", Duration.ofMinutes(1));

            assertThat(rejection(token)).isEqualTo(Reason.BAD_SIGNATURE);
        }

        @Test
        void rejectsATamperedPayload() throws Exception {
            String token = hs256(claims(""));
            String[] parts = token.split("\\.");
            String tampered = parts[0] + "." + b64(claims("\"fanwire_admin\":true")) + "." + parts[2];

            assertThat(rejection(tampered)).isEqualTo(Reason.BAD_SIGNATURE);
        }

        @Test
        void rejectsARandomSignature() throws Exception {
            String token = hs256(claims(""));
            String forged = token.substring(0, token.lastIndexOf('.') + 1) + b64(new byte[32]);

            assertThat(rejection(forged)).isEqualTo(Reason.BAD_SIGNATURE);
        }

        @Test
        void rejectsAnRs256TokenFromAnotherKeyPair() throws Exception {
            KeyPair mine = Tokens.rsa();
            KeyPair theirs = JwtKeys.generateKeyPair(JwtAlgorithm.RS256);
            String token = new JwtMinter(JwtAlgorithm.RS256, theirs.getPrivate(), CLOCK)
                    .mint("a", Duration.ofMinutes(1));
            JwtVerifier rs256 = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.RS256, mine.getPublic()).build(),
                    CLOCK);

            assertThat(rejection(rs256, token)).isEqualTo(Reason.BAD_SIGNATURE);
        }

        @Test
        void rejectsAnEs256SignatureOfTheWrongLengthOrValue() {
            KeyPair ec = Tokens.ec();
            String token = new JwtMinter(JwtAlgorithm.ES256, ec.getPrivate(), CLOCK).mint("a", Duration.ofMinutes(1));
            JwtVerifier es256 = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.ES256, ec.getPublic()).build(),
                    CLOCK);
            String input = token.substring(0, token.lastIndexOf('.') + 1);
            byte[] signature = java.util.Base64.getUrlDecoder().decode(token.substring(token.lastIndexOf('.') + 1));

            assertThat(es256.config().key()).isInstanceOf(ECPublicKey.class);
            assertThat(rejection(es256, input + b64(Arrays.copyOf(signature, 63)))).isEqualTo(Reason.BAD_SIGNATURE);
            assertThat(rejection(es256, input + b64(new byte[64]))).isEqualTo(Reason.BAD_SIGNATURE);
            signature[10] ^= 1;
            assertThat(rejection(es256, input + b64(signature))).isEqualTo(Reason.BAD_SIGNATURE);
        }
    }

    @Nested
    class Time {

        private String withTimes(String members) throws GeneralSecurityException {
            return hs256("{\"sub\":\"alice\"," + members + "}");
        }

        @Test
        void acceptsExpiryWithinTheLeewayAndRejectsItBeyond() throws Exception {
            long now = NOW.getEpochSecond();

            assertThat(verifier.verify(withTimes("\"exp\":" + (now - 29))).subject()).isEqualTo("alice");
            assertThat(rejection(withTimes("\"exp\":" + (now - 31)))).isEqualTo(Reason.EXPIRED);
        }

        @Test
        void acceptsNotBeforeWithinTheLeewayAndRejectsItBeyond() throws Exception {
            long now = NOW.getEpochSecond();
            String exp = "\"exp\":" + (now + 600) + ",";

            assertThat(verifier.verify(withTimes(exp + "\"nbf\":" + (now + 29))).subject()).isEqualTo("alice");
            assertThat(rejection(withTimes(exp + "\"nbf\":" + (now + 31)))).isEqualTo(Reason.NOT_YET_VALID);
        }

        @Test
        void usesTheConfiguredLeewayAndClock() throws Exception {
            String token = withTimes("\"exp\":" + (NOW.getEpochSecond() - 5));
            JwtVerifier noLeeway = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.HS256, SECRET)
                    .leeway(Duration.ZERO).build(), CLOCK);
            JwtVerifier earlierClock = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.HS256, SECRET)
                    .leeway(Duration.ZERO).build(), Clock.offset(CLOCK, Duration.ofSeconds(-10)));

            assertThat(rejection(noLeeway, token)).isEqualTo(Reason.EXPIRED);
            assertThat(earlierClock.verify(token).subject()).isEqualTo("alice");
        }

        @Test
        void rejectsAMintedTokenOnceItsTtlHasPassed() {
            String token = minter.mint("alice", Duration.ofMinutes(-1));

            assertThat(rejection(token)).isEqualTo(Reason.EXPIRED);
        }

        @Test
        void requiresAnExpiry() {
            Map<String, Object> noExp = new HashMap<>();
            noExp.put("exp", null);

            assertThat(rejection(minter.mint("alice", Duration.ofMinutes(1), noExp))).isEqualTo(Reason.MISSING_EXPIRY);
        }
    }

    @Nested
    class Subject {

        @ParameterizedTest
        @ValueSource(strings = {"", "\"sub\":\"\",", "\"sub\":\"   \","})
        void requiresANonBlankSubject(String sub) throws Exception {
            String token = hs256("{" + sub + "\"exp\":" + (NOW.getEpochSecond() + 60) + "}");

            assertThat(rejection(token)).isEqualTo(Reason.MISSING_SUBJECT);
        }
    }

    @Nested
    class IssuerAndAudience {

        private final JwtVerifier strict = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.HS256, SECRET)
                .issuer("https://auth.example").audience("fanwire").build(), CLOCK);

        @Test
        void acceptsTheConfiguredIssuerAndAudienceAsStringOrArray() throws Exception {
            VerifiedToken single = strict.verify(hs256(claims("\"iss\":\"https://auth.example\",\"aud\":\"fanwire\"")));
            VerifiedToken array = strict.verify(hs256(
                    claims("\"iss\":\"https://auth.example\",\"aud\":[\"billing\",\"fanwire\"]")));

            assertThat(single.claims()).containsEntry("aud", List.of("fanwire"))
                    .containsEntry("iss", "https://auth.example");
            assertThat(array.claims()).containsEntry("aud", List.of("billing", "fanwire"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"iss\":\"https://evil.example\",\"aud\":\"fanwire\"", "\"aud\":\"fanwire\"",
                "\"iss\":\"https://AUTH.example\",\"aud\":\"fanwire\""})
        void rejectsAnotherOrMissingIssuer(String members) throws Exception {
            assertThat(rejection(strict, hs256(claims(members)))).isEqualTo(Reason.WRONG_ISSUER);
        }

        @ParameterizedTest
        @ValueSource(strings = {"\"iss\":\"https://auth.example\",\"aud\":\"billing\"",
                "\"iss\":\"https://auth.example\",\"aud\":[\"billing\"]", "\"iss\":\"https://auth.example\""})
        void rejectsAnotherOrMissingAudience(String members) throws Exception {
            assertThat(rejection(strict, hs256(claims(members)))).isEqualTo(Reason.WRONG_AUDIENCE);
        }

        @Test
        void acceptsAnyIssuerAndAudienceWhenNoneIsConfigured() throws Exception {
            String token = hs256(claims("\"iss\":\"https://other.example\",\"aud\":\"x\""));

            assertThat(verifier.verify(token).subject()).isEqualTo("alice");
        }

        @Test
        void matchesAMinterConfiguredTheSameWay() throws Exception {
            String token = minter.withIssuer("https://auth.example").withAudience("fanwire")
                    .mint("alice", Duration.ofMinutes(1));

            assertThat(strict.verify(token).subject()).isEqualTo("alice");
        }
    }

    @Nested
    class Rotation {

        private final SecretKey previous = JwtKeys.hmacKey(JwtAlgorithm.HS256, "the previous secret, 32 bytes ok");
        private final JwtVerifier rotating = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.HS256, SECRET)
                .previousKey(previous).build(), CLOCK);

        @Test
        void acceptsTokensSignedWithTheCurrentOrThePreviousKey() throws Exception {
            String current = minter.mint("alice", Duration.ofMinutes(1));
            String old = new JwtMinter(JwtAlgorithm.HS256, previous, CLOCK).mint("bob", Duration.ofMinutes(1));

            assertThat(rotating.verify(current).subject()).isEqualTo("alice");
            assertThat(rotating.verify(old).subject()).isEqualTo("bob");
            assertThat(rejection(verifier, old)).isEqualTo(Reason.BAD_SIGNATURE);
        }

        @Test
        void rejectsATokenSignedWithAnUnknownKey() {
            SecretKey unknown = JwtKeys.hmacKey(JwtAlgorithm.HS256, "an unknown secret of 32 bytes ok");
            String token = new JwtMinter(JwtAlgorithm.HS256, unknown, CLOCK).mint("eve", Duration.ofMinutes(1));

            assertThat(rejection(rotating, token)).isEqualTo(Reason.BAD_SIGNATURE);
        }

        @Test
        void checksClaimsOfATokenSignedWithThePreviousKey() {
            String old = new JwtMinter(JwtAlgorithm.HS256, previous, CLOCK).mint("bob", Duration.ofMinutes(-5));

            assertThat(rejection(rotating, old)).isEqualTo(Reason.EXPIRED);
        }

        @Test
        void rotatesKeyPairs() {
            KeyPair current = Tokens.ec();
            KeyPair old = JwtKeys.generateKeyPair(JwtAlgorithm.ES256);
            JwtVerifier es256 = new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.ES256, current.getPublic())
                    .previousKey(old.getPublic()).build(), CLOCK);
            String token = new JwtMinter(JwtAlgorithm.ES256, old.getPrivate(), CLOCK)
                    .mint("bob", Duration.ofMinutes(1));

            assertThat(catchThrowableOfType(TokenRejectedException.class, () -> es256.verify(token))).isNull();
        }
    }

    @Nested
    class Keys {

        @Test
        void refusesAWeakHmacSecret() {
            SecretKey weak = new SecretKeySpec(new byte[31], "HmacSHA256");

            assertThatIllegalArgumentException()
                    .isThrownBy(() -> new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.HS256, weak).build(),
                            CLOCK))
                    .withMessage("jwt key: HS256 needs a secret of at least 32 bytes, got 31");
        }

        @Test
        void refusesASecretTooShortForTheStrongerHash() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.HS384, SECRET).build(),
                            CLOCK))
                    .withMessage("jwt key: HS384 needs a secret of at least 48 bytes, got 32");
        }

        @Test
        void refusesAWeakPreviousKey() {
            SecretKey weak = new SecretKeySpec(new byte[12], "HmacSHA256");

            assertThatIllegalArgumentException()
                    .isThrownBy(() -> new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.HS256, SECRET)
                            .previousKey(weak).build(), CLOCK))
                    .withMessage("jwt previousKey: HS256 needs a secret of at least 32 bytes, got 12");
        }

        @Test
        void refusesASmallRsaKey() throws Exception {
            KeyPair small = Tokens.generate("RSA", 1024);

            assertThatIllegalArgumentException()
                    .isThrownBy(() -> new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.RS256, small.getPublic())
                            .build(), CLOCK))
                    .withMessage("jwt key: RS256 needs an RSA key of at least 2048 bits, got 1024");
        }

        @Test
        void refusesAnEcKeyOffP256() throws Exception {
            KeyPair p384 = Tokens.generateEc("secp384r1");

            assertThatIllegalArgumentException()
                    .isThrownBy(() -> new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.ES256, p384.getPublic())
                            .build(), CLOCK))
                    .withMessageContaining("ES256 needs an EC key on curve P-256");
        }

        @Test
        void refusesKeysOfTheWrongType() {
            KeyPair rsa = Tokens.rsa();
            KeyPair ec = Tokens.ec();

            assertThatIllegalArgumentException()
                    .isThrownBy(() -> new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.HS256, rsa.getPublic())
                            .build(), CLOCK))
                    .withMessage("jwt key: HS256 needs a secret key, got RSA public key");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.RS256, SECRET).build(),
                            CLOCK))
                    .withMessage("jwt key: RS256 needs an RSA public key, got HmacSHA256 secret key");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.RS256, rsa.getPrivate())
                            .build(), CLOCK))
                    .withMessage("jwt key: RS256 needs an RSA public key, got RSA private key");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.ES256, rsa.getPublic())
                            .build(), CLOCK))
                    .withMessage("jwt key: ES256 needs an EC public key, got RSA public key");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.RS256, ec.getPublic())
                            .build(), CLOCK))
                    .withMessage("jwt key: RS256 needs an RSA public key, got EC public key");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> new JwtVerifier(JwtVerifierConfig.builder(JwtAlgorithm.HS256,
                            new SecretKeySpec(new byte[32], "AES")).build(), CLOCK))
                    .withMessage("jwt key: HS256 needs an HmacSHA* secret key, got AES secret key");
        }

        @Test
        void refusesALeewayThatIsNotWholeSeconds() {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> JwtVerifierConfig.builder(JwtAlgorithm.HS256, SECRET)
                            .leeway(Duration.ofMillis(1500)).build())
                    .withMessage("leeway: PT1.5S (expected: whole seconds)");
        }
    }
}
