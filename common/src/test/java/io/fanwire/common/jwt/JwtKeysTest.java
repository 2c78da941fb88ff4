package io.fanwire.common.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

import javax.crypto.SecretKey;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class JwtKeysTest {

    @Test
    void readsAPlainTextSecretAsUtf8() {
        SecretKey key = JwtKeys.hmacKey(JwtAlgorithm.HS256, Tokens.SECRET_TEXT);

        assertThat(key.getAlgorithm()).isEqualTo("HmacSHA256");
        assertThat(key.getEncoded()).isEqualTo(Tokens.SECRET_TEXT.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void countsTheSecretInBytesNotCharacters() {
        // 16 two-byte characters: 32 bytes, enough for HS256.
        assertThat(JwtKeys.hmacKey(JwtAlgorithm.HS256, "é".repeat(16)).getEncoded()).hasSize(32);
        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.hmacKey(JwtAlgorithm.HS256, "é".repeat(15)))
                .withMessage("jwt key: HS256 needs a secret of at least 32 bytes, got 30");
    }

    @Test
    void readsABase64Secret() {
        byte[] bytes = new byte[48];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }

        SecretKey key = JwtKeys.hmacKey(JwtAlgorithm.HS384, "base64:" + Base64.getEncoder().encodeToString(bytes));

        assertThat(key.getAlgorithm()).isEqualTo("HmacSHA384");
        assertThat(key.getEncoded()).isEqualTo(bytes);
    }

    @Test
    void refusesShortSecrets() {
        String base64Of32 = "base64:" + Base64.getEncoder().encodeToString(new byte[32]);

        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.hmacKey(JwtAlgorithm.HS256, "x".repeat(31)))
                .withMessage("jwt key: HS256 needs a secret of at least 32 bytes, got 31");
        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.hmacKey(JwtAlgorithm.HS256, "secret"))
                .withMessage("jwt key: HS256 needs a secret of at least 32 bytes, got 6");
        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.hmacKey(JwtAlgorithm.HS384, base64Of32))
                .withMessage("jwt key: HS384 needs a secret of at least 48 bytes, got 32");
        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.hmacKey(JwtAlgorithm.HS512, base64Of32))
                .withMessage("jwt key: HS512 needs a secret of at least 64 bytes, got 32");
    }

    @Test
    void refusesBadBase64WithoutEchoingTheSecret() {
        String secret = "base64:this is not base64 but it is long enough!!";

        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.hmacKey(JwtAlgorithm.HS256, secret))
                .withMessage("jwt key: the base64: secret is not valid standard base64")
                .withMessageNotContaining("this is not");
    }

    @ParameterizedTest
    @EnumSource(value = JwtAlgorithm.class, names = {"RS256", "ES256"})
    void refusesASecretForKeyPairAlgorithms(JwtAlgorithm algorithm) {
        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.hmacKey(algorithm, Tokens.SECRET_TEXT))
                .withMessage("jwt key: " + algorithm + " uses a key pair, not a shared secret");
        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.publicKey(JwtAlgorithm.HS256, "x"))
                .withMessage("jwt key: HS256 uses a shared secret, not a key pair");
        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.generateKeyPair(JwtAlgorithm.HS512))
                .withMessage("jwt key: HS512 uses a shared secret, not a key pair");
    }

    @ParameterizedTest
    @EnumSource(value = JwtAlgorithm.class, names = {"HS256", "HS384", "HS512"})
    void generatesRandomSecretsStrongEnoughForEveryHmacAlgorithm(JwtAlgorithm algorithm) {
        String first = JwtKeys.randomHmacSecret();

        assertThat(first).startsWith("base64:").isNotEqualTo(JwtKeys.randomHmacSecret());
        assertThat(JwtKeys.hmacKey(algorithm, first).getEncoded()).hasSize(64);
    }

    @ParameterizedTest
    @EnumSource(value = JwtAlgorithm.class, names = {"RS256", "ES256"})
    void roundTripsKeyPairsThroughPem(JwtAlgorithm algorithm) {
        KeyPair pair = JwtKeys.generateKeyPair(algorithm);

        String publicPem = JwtKeys.publicKeyPem(pair.getPublic());
        String privatePem = JwtKeys.privateKeyPem(pair.getPrivate());

        assertThat(publicPem).startsWith("-----BEGIN PUBLIC KEY-----\n").endsWith("-----END PUBLIC KEY-----\n");
        assertThat(privatePem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        assertThat(publicPem.lines().mapToInt(String::length).max().orElseThrow()).isLessThanOrEqualTo(64);
        assertThat(JwtKeys.publicKey(algorithm, publicPem)).isEqualTo(pair.getPublic());
        assertThat(JwtKeys.privateKey(algorithm, privatePem)).isEqualTo(pair.getPrivate());
        assertThat(JwtKeys.verificationKey(algorithm, publicPem)).isEqualTo(pair.getPublic());
        assertThat(JwtKeys.signingKey(algorithm, privatePem)).isEqualTo(pair.getPrivate());
    }

    @Test
    void generatesKeysOfTheRightShape() {
        PublicKey rsa = JwtKeys.generateKeyPair(JwtAlgorithm.RS256).getPublic();
        PublicKey ec = JwtKeys.generateKeyPair(JwtAlgorithm.ES256).getPublic();

        assertThat(((RSAPublicKey) rsa).getModulus().bitLength()).isEqualTo(2048);
        assertThat(((ECPublicKey) ec).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    }

    @Test
    void toleratesCrlfIndentationAndSurroundingText() {
        PublicKey key = Tokens.rsa().getPublic();
        String pem = "# issued by ops\r\n" + JwtKeys.publicKeyPem(key).replace("\n", "\r\n  ") + "trailing words";

        assertThat(JwtKeys.publicKey(JwtAlgorithm.RS256, pem)).isEqualTo(key);
    }

    @Test
    void dispatchesConfigurationTextByAlgorithm() {
        assertThat(JwtKeys.verificationKey(JwtAlgorithm.HS256, Tokens.SECRET_TEXT)).isInstanceOf(SecretKey.class);
        assertThat(JwtKeys.signingKey(JwtAlgorithm.HS256, Tokens.SECRET_TEXT)).isInstanceOf(SecretKey.class);
        assertThat(JwtKeys.signingKey(JwtAlgorithm.ES256, JwtKeys.privateKeyPem(Tokens.ec().getPrivate())))
                .isInstanceOf(PrivateKey.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage", "-----BEGIN PUBLIC KEY-----\nMIIB\n",
            "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\nAAAAAAAA\n-----END PUBLIC KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOC\n-----END PUBLIC KEY-----\n",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"})
    void refusesGarbagePem(String pem) {
        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.publicKey(JwtAlgorithm.RS256, pem))
                .withMessageStartingWith("jwt key: ");
        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.privateKey(JwtAlgorithm.ES256, pem))
                .withMessageStartingWith("jwt key: ");
    }

    @Test
    void refusesAPrivateKeyWhereAPublicKeyIsExpectedAndViceVersa() {
        String privatePem = JwtKeys.privateKeyPem(Tokens.rsa().getPrivate());
        String publicPem = JwtKeys.publicKeyPem(Tokens.rsa().getPublic());

        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.publicKey(JwtAlgorithm.RS256, privatePem))
                .withMessageStartingWith("jwt key: expected a PEM block starting with -----BEGIN PUBLIC KEY-----");
        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.privateKey(JwtAlgorithm.RS256, publicPem))
                .withMessageStartingWith("jwt key: expected a PEM block starting with -----BEGIN PRIVATE KEY-----");
    }

    @Test
    void namesTheKeyFamilyWhenItIsTheWrongOne() {
        String ecPublic = JwtKeys.publicKeyPem(Tokens.ec().getPublic());
        String rsaPublic = JwtKeys.publicKeyPem(Tokens.rsa().getPublic());
        String ecPrivate = JwtKeys.privateKeyPem(Tokens.ec().getPrivate());

        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.publicKey(JwtAlgorithm.RS256, ecPublic))
                .withMessage("jwt key: RS256 needs an RSA public key, got an EC public key");
        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.publicKey(JwtAlgorithm.ES256, rsaPublic))
                .withMessage("jwt key: ES256 needs an EC public key, got an RSA public key");
        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.privateKey(JwtAlgorithm.RS256, ecPrivate))
                .withMessage("jwt key: RS256 needs an RSA private key, got an EC private key");
    }

    @Test
    void refusesWeakKeysReadFromPem() throws Exception {
        String smallRsa = JwtKeys.publicKeyPem(Tokens.generate("RSA", 1024).getPublic());
        String p384 = JwtKeys.publicKeyPem(Tokens.generateEc("secp384r1").getPublic());
        String p384Private = JwtKeys.privateKeyPem(Tokens.generateEc("secp384r1").getPrivate());

        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.publicKey(JwtAlgorithm.RS256, smallRsa))
                .withMessage("jwt key: RS256 needs an RSA key of at least 2048 bits, got 1024");
        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.publicKey(JwtAlgorithm.ES256, p384))
                .withMessage("jwt key: ES256 needs an EC key on curve P-256 (secp256r1), got a 384-bit curve");
        assertThatIllegalArgumentException().isThrownBy(() -> JwtKeys.privateKey(JwtAlgorithm.ES256, p384Private))
                .withMessage("jwt key: ES256 needs an EC key on curve P-256 (secp256r1), got a 384-bit curve");
    }

    @Test
    void hintsAtConvertingLegacyAndEncryptedPrivateKeys() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JwtKeys.privateKey(JwtAlgorithm.RS256,
                        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"))
                .withMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JwtKeys.privateKey(JwtAlgorithm.ES256,
                        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"))
                .withMessageContaining("encrypted private keys are not supported");
    }
}
