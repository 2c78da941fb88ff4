package io.fanwire.common.jwt;

import java.security.PrivateKey;
import java.security.PublicKey;

import javax.crypto.SecretKey;

/** Reads keys from configuration text and refuses keys too weak for their algorithm. */
public final class JwtKeys {

    private JwtKeys() {
    }

    /**
     * An HMAC key from a configured secret: {@code base64:<standard base64>} or plain text taken as UTF-8.
     *
     * @throws IllegalArgumentException when {@code algorithm} is not HS* or the secret is shorter than its hash
     */
    public static SecretKey hmacKey(JwtAlgorithm algorithm, String secret) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * A public key from PEM ({@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo).
     *
     * @throws IllegalArgumentException when the text is not such a key of {@code algorithm}'s type or it is too weak
     */
    public static PublicKey publicKey(JwtAlgorithm algorithm, String pem) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * A private key from PEM ({@code -----BEGIN PRIVATE KEY-----}, PKCS#8).
     *
     * @throws IllegalArgumentException when the text is not such a key of {@code algorithm}'s type
     */
    public static PrivateKey privateKey(JwtAlgorithm algorithm, String pem) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
