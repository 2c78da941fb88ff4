package io.fanwire.common.jwt;

import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.KeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reads keys from configuration text and refuses keys too weak for their algorithm.
 *
 * <p>Every check happens here, once, when configuration is read: a weak or mismatched key must stop the server
 * from starting rather than fail (or, worse, pass) on the first handshake. {@link JwtVerifier} and
 * {@link JwtMinter} apply the same checks to keys that did not come from this class.
 *
 * <p>The generators and PEM writers exist for tests, development setups and the bench client, which need fresh
 * keys and the text a server would be configured with.
 */
public final class JwtKeys {

    /** The prefix that marks a configured HMAC secret as standard base64 rather than UTF-8 text. */
    public static final String BASE64_PREFIX = "base64:";

    /** RFC 7518 §3.3 (and jjwt) require RS256 keys of at least this many bits. */
    static final int MIN_RSA_BITS = 2048;

    private static final int RANDOM_SECRET_BYTES = 64;
    private static final String PUBLIC_PEM = "PUBLIC KEY";
    private static final String PRIVATE_PEM = "PRIVATE KEY";
    private static final ECParameterSpec P256 = p256();

    private JwtKeys() {
    }

    /**
     * An HMAC key from a configured secret: {@code base64:<standard base64>} or plain text taken as UTF-8.
     *
     * <p>RFC 7518 §3.2 requires a secret at least as long as the hash (32, 48 or 64 bytes); shorter ones are
     * refused because they can be brute-forced from a single captured token. The secret itself never appears in
     * an error message.
     *
     * @throws IllegalArgumentException when {@code algorithm} is not HS* or the secret is shorter than its hash
     */
    public static SecretKey hmacKey(JwtAlgorithm algorithm, String secret) {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(secret, "secret");
        if (!algorithm.hmac()) {
            throw new IllegalArgumentException("jwt key: " + algorithm + " uses a key pair, not a shared secret");
        }
        byte[] bytes;
        if (secret.startsWith(BASE64_PREFIX)) {
            try {
                bytes = Base64.getDecoder().decode(secret.substring(BASE64_PREFIX.length()).strip());
            } catch (IllegalArgumentException e) {
                // The decoder's message names no secret bytes, but say nothing of the value regardless.
                throw new IllegalArgumentException("jwt key: the " + BASE64_PREFIX
                        + " secret is not valid standard base64", e);
            }
        } else {
            bytes = secret.getBytes(StandardCharsets.UTF_8);
        }
        requireSecretLength(algorithm, bytes.length);
        return new SecretKeySpec(bytes, jcaHmacName(algorithm));
    }

    /**
     * A public key from PEM ({@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo).
     *
     * @throws IllegalArgumentException when the text is not such a key of {@code algorithm}'s type or it is too weak
     */
    public static PublicKey publicKey(JwtAlgorithm algorithm, String pem) {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(pem, "pem");
        requireKeyPairAlgorithm(algorithm);
        byte[] der = pemBody(pem, PUBLIC_PEM);
        PublicKey key = (PublicKey) decode(algorithm, new X509EncodedKeySpec(der), true);
        requireVerificationKey(algorithm, key, "jwt key");
        return key;
    }

    /**
     * A private key from PEM ({@code -----BEGIN PRIVATE KEY-----}, PKCS#8).
     *
     * <p>Legacy {@code BEGIN RSA PRIVATE KEY} / {@code BEGIN EC PRIVATE KEY} blocks and encrypted keys are refused
     * with a hint: the JDK reads only unencrypted PKCS#8, and we do not carry BouncyCastle for one conversion.
     *
     * @throws IllegalArgumentException when the text is not such a key of {@code algorithm}'s type
     */
    public static PrivateKey privateKey(JwtAlgorithm algorithm, String pem) {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(pem, "pem");
        requireKeyPairAlgorithm(algorithm);
        byte[] der = pemBody(pem, PRIVATE_PEM);
        PrivateKey key;
        try {
            key = (PrivateKey) decode(algorithm, new PKCS8EncodedKeySpec(der), false);
        } finally {
            Arrays.fill(der, (byte) 0);
        }
        requireSigningKey(algorithm, key, "jwt key");
        return key;
    }

    /**
     * The key that verifies {@code algorithm} from configuration text: an HMAC secret (see
     * {@link #hmacKey}) for HS*, a public key PEM (see {@link #publicKey}) for RS256/ES256. Lets a configuration
     * carry one {@code key} setting whatever the algorithm.
     */
    public static Key verificationKey(JwtAlgorithm algorithm, String text) {
        Objects.requireNonNull(algorithm, "algorithm");
        return algorithm.hmac() ? hmacKey(algorithm, text) : publicKey(algorithm, text);
    }

    /**
     * The key that signs {@code algorithm} from configuration text: an HMAC secret for HS*, a private key PEM for
     * RS256/ES256. The counterpart of {@link #verificationKey} for minting.
     */
    public static Key signingKey(JwtAlgorithm algorithm, String text) {
        Objects.requireNonNull(algorithm, "algorithm");
        return algorithm.hmac() ? hmacKey(algorithm, text) : privateKey(algorithm, text);
    }

    /**
     * A fresh key pair for RS256 (RSA 2048) or ES256 (EC P-256), for tests, development and the bench client.
     *
     * @throws IllegalArgumentException for HS* algorithms, which use a secret (see {@link #randomHmacSecret()})
     */
    public static KeyPair generateKeyPair(JwtAlgorithm algorithm) {
        Objects.requireNonNull(algorithm, "algorithm");
        requireKeyPairAlgorithm(algorithm);
        try {
            KeyPairGenerator generator;
            if (algorithm == JwtAlgorithm.RS256) {
                generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(MIN_RSA_BITS);
            } else {
                generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            // Every JDK must provide RSA and EC P-256 (JCA standard names); missing means a broken runtime.
            throw new IllegalStateException("the JDK cannot generate " + algorithm + " keys", e);
        }
    }

    /**
     * A random 64-byte secret as {@code base64:<standard base64>}, the form {@link #hmacKey} reads. Long enough
     * for every HS* algorithm, so one value can be configured whichever is chosen.
     */
    public static String randomHmacSecret() {
        byte[] bytes = new byte[RANDOM_SECRET_BYTES];
        new SecureRandom().nextBytes(bytes);
        return BASE64_PREFIX + Base64.getEncoder().encodeToString(bytes);
    }

    /** {@code key} as a {@code -----BEGIN PUBLIC KEY-----} PEM block, the form {@link #publicKey} reads. */
    public static String publicKeyPem(PublicKey key) {
        Objects.requireNonNull(key, "key");
        return pem(PUBLIC_PEM, key, "X.509");
    }

    /** {@code key} as an unencrypted {@code -----BEGIN PRIVATE KEY-----} block, the form {@link #privateKey} reads. */
    public static String privateKeyPem(PrivateKey key) {
        Objects.requireNonNull(key, "key");
        return pem(PRIVATE_PEM, key, "PKCS#8");
    }

    // ---- checks shared with JwtVerifier and JwtMinter ----

    /** Refuses a key that cannot verify {@code algorithm} or is too weak for it. */
    static void requireVerificationKey(JwtAlgorithm algorithm, Key key, String what) {
        requireKey(algorithm, key, what, true);
    }

    /** Refuses a key that cannot sign {@code algorithm} or is too weak for it. */
    static void requireSigningKey(JwtAlgorithm algorithm, Key key, String what) {
        requireKey(algorithm, key, what, false);
    }

    private static void requireKey(JwtAlgorithm algorithm, Key key, String what, boolean verifying) {
        Objects.requireNonNull(algorithm, "algorithm");
        if (key == null) {
            throw new IllegalArgumentException(what + ": missing (" + algorithm + " needs one)");
        }
        switch (algorithm) {
            case HS256, HS384, HS512 -> {
                if (!(key instanceof SecretKey)) {
                    throw new IllegalArgumentException(what + ": " + algorithm + " needs a secret key, got "
                            + describe(key));
                }
                String name = key.getAlgorithm();
                if (name == null || !name.toUpperCase(Locale.ROOT).startsWith("HMACSHA")) {
                    throw new IllegalArgumentException(what + ": " + algorithm
                            + " needs an HmacSHA* secret key, got " + describe(key));
                }
                byte[] encoded = key.getEncoded();
                if (encoded == null) {
                    throw new IllegalArgumentException(what + ": " + algorithm
                            + " needs a secret whose length can be checked, got a non-extractable key");
                }
                int length = encoded.length;
                Arrays.fill(encoded, (byte) 0);
                requireSecretLength(algorithm, length, what);
            }
            case RS256 -> {
                boolean rightKind = verifying ? key instanceof PublicKey : key instanceof PrivateKey;
                if (!rightKind || !(key instanceof RSAKey rsa) || !"RSA".equals(key.getAlgorithm())) {
                    throw new IllegalArgumentException(what + ": RS256 needs an RSA " + kind(verifying)
                            + " key, got " + describe(key));
                }
                int bits = rsa.getModulus().bitLength();
                if (bits < MIN_RSA_BITS) {
                    throw new IllegalArgumentException(what + ": RS256 needs an RSA key of at least "
                            + MIN_RSA_BITS + " bits, got " + bits);
                }
            }
            case ES256 -> {
                boolean rightKind = verifying ? key instanceof PublicKey : key instanceof PrivateKey;
                if (!rightKind || !(key instanceof ECKey ec) || !"EC".equals(key.getAlgorithm())) {
                    throw new IllegalArgumentException(what + ": ES256 needs an EC " + kind(verifying)
                            + " key, got " + describe(key));
                }
                if (!isP256(ec.getParams())) {
                    int bits = ec.getParams() == null ? 0 : ec.getParams().getCurve().getField().getFieldSize();
                    throw new IllegalArgumentException(what + ": ES256 needs an EC key on curve P-256 (secp256r1), "
                            + "got a " + bits + "-bit curve" + (bits == 256 ? " other than P-256" : ""));
                }
            }
        }
    }

    private static void requireSecretLength(JwtAlgorithm algorithm, int length) {
        requireSecretLength(algorithm, length, "jwt key");
    }

    private static void requireSecretLength(JwtAlgorithm algorithm, int length, String what) {
        int min = minSecretBytes(algorithm);
        if (length < min) {
            throw new IllegalArgumentException(what + ": " + algorithm + " needs a secret of at least " + min
                    + " bytes, got " + length);
        }
    }

    /** The hash output size of an HS* algorithm: RFC 7518 §3.2's minimum secret length. */
    static int minSecretBytes(JwtAlgorithm algorithm) {
        return switch (algorithm) {
            case HS256 -> 32;
            case HS384 -> 48;
            case HS512 -> 64;
            case RS256, ES256 -> throw new IllegalArgumentException(algorithm + " does not use a secret");
        };
    }

    private static String jcaHmacName(JwtAlgorithm algorithm) {
        return switch (algorithm) {
            case HS256 -> "HmacSHA256";
            case HS384 -> "HmacSHA384";
            case HS512 -> "HmacSHA512";
            case RS256, ES256 -> throw new IllegalArgumentException(algorithm + " does not use a secret");
        };
    }

    private static void requireKeyPairAlgorithm(JwtAlgorithm algorithm) {
        if (algorithm.hmac()) {
            throw new IllegalArgumentException("jwt key: " + algorithm + " uses a shared secret, not a key pair");
        }
    }

    private static String kind(boolean verifying) {
        return verifying ? "public" : "private";
    }

    private static String describe(Key key) {
        String kind = key instanceof PublicKey ? "public key"
                : key instanceof PrivateKey ? "private key"
                : key instanceof SecretKey ? "secret key"
                : "key";
        return key.getAlgorithm() + " " + kind;
    }

    private static boolean isP256(ECParameterSpec params) {
        return params != null
                && params.getCurve().equals(P256.getCurve())
                && params.getGenerator().equals(P256.getGenerator())
                && params.getOrder().equals(P256.getOrder())
                && params.getCofactor() == P256.getCofactor();
    }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec("secp256r1"));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            // P-256 is a JCA-mandated curve; without it the runtime cannot do ES256 at all.
            throw new IllegalStateException("the JDK does not know curve secp256r1", e);
        }
    }

    // ---- PEM ----

    private static Key decode(JwtAlgorithm algorithm, KeySpec spec, boolean isPublic) {
        String family = algorithm == JwtAlgorithm.RS256 ? "RSA" : "EC";
        String kind = kind(isPublic);
        try {
            KeyFactory factory = KeyFactory.getInstance(family);
            return isPublic ? factory.generatePublic(spec) : factory.generatePrivate(spec);
        } catch (GeneralSecurityException e) {
            // Say what the key is when it is the other family: "RS256 needs RSA, got EC" helps more than
            // the JDK's ASN.1 complaint.
            String other = family.equals("RSA") ? "EC" : "RSA";
            if (parses(other, spec, isPublic)) {
                throw new IllegalArgumentException("jwt key: " + algorithm + " needs an " + family + " " + kind
                        + " key, got an " + other + " " + kind + " key");
            }
            throw new IllegalArgumentException("jwt key: not a valid " + family + " " + kind + " key for "
                    + algorithm + " (" + e.getMessage() + ")", e);
        }
    }

    private static boolean parses(String family, KeySpec spec, boolean isPublic) {
        try {
            KeyFactory factory = KeyFactory.getInstance(family);
            if (isPublic) {
                factory.generatePublic(spec);
            } else {
                factory.generatePrivate(spec);
            }
            return true;
        } catch (GeneralSecurityException | RuntimeException ignored) {
            // Only a probe for a better error message; the caller reports the original failure.
            return false;
        }
    }

    private static byte[] pemBody(String pem, String type) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int start = pem.indexOf(begin);
        if (start < 0) {
            throw new IllegalArgumentException("jwt key: expected a PEM block starting with " + begin
                    + pemHint(pem));
        }
        int bodyStart = start + begin.length();
        int stop = pem.indexOf(end, bodyStart);
        if (stop < 0) {
            throw new IllegalArgumentException("jwt key: the PEM block has no " + end + " line");
        }
        StringBuilder body = new StringBuilder(stop - bodyStart);
        for (int i = bodyStart; i < stop; i++) {
            char c = pem.charAt(i);
            if (!Character.isWhitespace(c)) {
                body.append(c);
            }
        }
        try {
            // Strict decoder: the MIME decoder would silently skip stray characters in a damaged file.
            return Base64.getDecoder().decode(body.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("jwt key: the PEM body is not valid base64", e);
        }
    }

    private static String pemHint(String pem) {
        if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            return " (encrypted private keys are not supported; decrypt with "
                    + "`openssl pkcs8 -topk8 -nocrypt -in key.pem`)";
        }
        if (pem.contains("-----BEGIN RSA PRIVATE KEY-----") || pem.contains("-----BEGIN EC PRIVATE KEY-----")) {
            return " (this is a legacy PKCS#1/SEC1 key; convert with `openssl pkcs8 -topk8 -nocrypt -in key.pem`)";
        }
        if (pem.contains("-----BEGIN RSA PUBLIC KEY-----")) {
            return " (this is a PKCS#1 key; convert with `openssl rsa -RSAPublicKey_in -pubout -in key.pem`)";
        }
        if (pem.contains("-----BEGIN CERTIFICATE-----")) {
            return " (certificates are not read; extract the key with `openssl x509 -pubkey -noout -in cert.pem`)";
        }
        return "";
    }

    private static String pem(String type, Key key, String format) {
        if (!format.equals(key.getFormat()) || key.getEncoded() == null) {
            throw new IllegalArgumentException("key: " + key.getAlgorithm() + " key is not encodable as " + format);
        }
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded());
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
