package io.fanwire.common.jwt;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Hand-made tokens and shared keys for the JWT tests: what an attacker or a broken issuer could send. */
final class Tokens {

    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** 32 bytes: exactly enough for HS256. */
    static final String SECRET_TEXT = "0123456789abcdef0123456789abcdef";

    private static KeyPair rsa;
    private static KeyPair ec;

    private Tokens() {
    }

    static synchronized KeyPair rsa() {
        if (rsa == null) {
            rsa = JwtKeys.generateKeyPair(JwtAlgorithm.RS256);
        }
        return rsa;
    }

    static synchronized KeyPair ec() {
        if (ec == null) {
            ec = JwtKeys.generateKeyPair(JwtAlgorithm.ES256);
        }
        return ec;
    }

    static KeyPair generate(String algorithm, int bits) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        generator.initialize(bits);
        return generator.generateKeyPair();
    }

    static KeyPair generateEc(String curve) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    static String b64(String text) {
        return b64(text.getBytes(StandardCharsets.UTF_8));
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String decode(String part) {
        return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
    }

    /** {@code header.payload} from JSON texts, unsigned. */
    static String signingInput(String headerJson, String payloadJson) {
        return b64(headerJson) + "." + b64(payloadJson);
    }

    /** A token signed with HMAC over whatever header and payload we like. */
    static String hmacSigned(String jcaAlgorithm, byte[] secret, String headerJson, String payloadJson)
            throws GeneralSecurityException {
        return hmacSigned(jcaAlgorithm, secret, signingInput(headerJson, payloadJson));
    }

    static String hmacSigned(String jcaAlgorithm, byte[] secret, String signingInput)
            throws GeneralSecurityException {
        Mac mac = Mac.getInstance(jcaAlgorithm);
        mac.init(new SecretKeySpec(secret, jcaAlgorithm));
        return signingInput + "." + b64(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    }


    /** Claims that pass every time check at {@link #NOW}, with extra JSON members appended. */
    static String claims(String extraMembers) {
        String base = "\"sub\":\"alice\",\"exp\":" + (NOW.getEpochSecond() + 600);
        return "{" + base + (extraMembers.isEmpty() ? "" : "," + extraMembers) + "}";
    }

    static byte[] secretBytes() {
        return SECRET_TEXT.getBytes(StandardCharsets.UTF_8);
    }
}
