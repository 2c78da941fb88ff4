package io.fanwire.server.testing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made at test time by the JDK's
 * {@code keytool} (always there, unlike {@code openssl}), and exported to PEM files as the server reads them:
 * the certificate, and its key in unencrypted PKCS#8.
 *
 * @param certificatePem the certificate in PEM
 * @param privateKeyPem the private key in PKCS#8 PEM
 * @param certificateFile a file holding {@code certificatePem}
 * @param privateKeyFile a file holding {@code privateKeyPem}
 * @param certificate the certificate, for clients to trust
 */
public record TestCertificate(String certificatePem, String privateKeyPem, Path certificateFile, Path privateKeyFile,
                              X509Certificate certificate) {

    private static final char[] PASSWORD = "changeit".toCharArray();

    /**
     * Makes a certificate in {@code dir} with an EC P-256 key ({@code keyAlgorithm} "EC") or an RSA 2048 key
     * ("RSA"), valid for two days.
     */
    public static TestCertificate create(Path dir, String keyAlgorithm) throws Exception {
        Path keystore = dir.resolve("server.p12");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "fanwire", "-keyalg", keyAlgorithm,
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)));
        command.addAll(keyAlgorithm.equals("EC") ? List.of("-groupname", "secp256r1") : List.of("-keysize", "2048"));
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD);
        }
        PrivateKey key = (PrivateKey) store.getKey("fanwire", PASSWORD);
        X509Certificate certificate = (X509Certificate) store.getCertificate("fanwire");
        String certificatePem = pem("CERTIFICATE", certificate.getEncoded());
        String keyPem = pem("PRIVATE KEY", key.getEncoded());
        Path certificateFile = Files.writeString(dir.resolve("server.crt.pem"), certificatePem);
        Path keyFile = Files.writeString(dir.resolve("server.key.pem"), keyPem);
        return new TestCertificate(certificatePem, keyPem, certificateFile, keyFile, certificate);
    }

    /** A client context that trusts this certificate only. */
    public SSLContext clientContext() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("fanwire", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
