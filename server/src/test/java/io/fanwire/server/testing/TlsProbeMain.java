package io.fanwire.server.testing;

import java.io.FileInputStream;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS client limited to one protocol version, run in a JVM of its own by {@code TlsIT} so that the JDK's
 * {@code jdk.tls.disabledAlgorithms} can be relaxed there (the JDK refuses TLS 1.1 by default, which would prove
 * nothing about the server) without touching the test JVM. Prints one line: {@code ok <protocol> <cipher suite>}
 * or {@code refused <exception>}.
 *
 * <p>Arguments: host, port, protocol ({@code TLSv1.1}), the PEM file of the certificate to trust.
 */
public final class TlsProbeMain {

    private TlsProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        X509Certificate certificate;
        try (InputStream in = new FileInputStream(args[3])) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(args[0], Integer.parseInt(args[1]))) {
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[] {args[2]});
            socket.startHandshake();
            System.out.println("ok " + socket.getSession().getProtocol() + " " + socket.getSession().getCipherSuite());
        } catch (java.io.IOException e) {
            System.out.println("refused " + e);
        }
    }
}
