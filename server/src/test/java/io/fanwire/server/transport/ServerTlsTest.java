package io.fanwire.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fanwire.server.ServerConfig.TlsConfig;
import io.fanwire.server.ServerConfig.TlsProvider;
import io.fanwire.server.testing.TestCertificate;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslHandler;

class ServerTlsTest {

    @TempDir
    static Path dir;
    static TestCertificate certificate;

    @BeforeAll
    static void certificate() throws Exception {
        certificate = TestCertificate.create(dir, "EC");
    }

    @Test
    void offersTls12And13WithAeadSuitesOnly() {
        for (TlsProvider provider : OpenSsl.isAvailable() ? TlsProvider.values() : new TlsProvider[] {TlsProvider.JDK}) {
            ServerTls tls = ServerTls.create(new TlsConfig(certificate.certificatePem(), certificate.privateKeyPem(),
                    provider, Duration.ofSeconds(3)));
            assertThat(tls.cipherSuites()).as(provider.name()).isNotEmpty().isSubsetOf(ServerTls.CIPHER_SUITES)
                    .allMatch(suite -> suite.contains("_GCM_") || suite.contains("CHACHA20_POLY1305"));
            SslHandler handler = tls.newHandler(ByteBufAllocator.DEFAULT);
            try {
                // Netty's OpenSSL engine always lists the pseudo-protocol SSLv2Hello (the format of a hello, which
                // BoringSSL does not accept anyway), never a protocol version.
                assertThat(java.util.Arrays.stream(handler.engine().getEnabledProtocols())
                        .filter(p -> !p.equals("SSLv2Hello"))).as(provider.name())
                        .containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
                assertThat(handler.getHandshakeTimeoutMillis()).isEqualTo(3000);
            } finally {
                io.netty.util.ReferenceCountUtil.release(handler.engine());
            }
        }
    }

    @Test
    void autoPrefersOpenSslAndSaysWhichItUses() {
        ServerTls tls = ServerTls.create(TlsConfig.of(certificate.certificatePem(), certificate.privateKeyPem()));
        assertThat(tls.providerName()).isEqualTo(OpenSsl.isAvailable() ? "openssl" : "jdk");
        assertThat(ServerTls.provider(TlsProvider.JDK)).isEqualTo(io.netty.handler.ssl.SslProvider.JDK);
    }

    @Test
    void unusableMaterialIsRefusedWithoutQuotingTheKey() {
        java.util.List<String> lines = certificate.privateKeyPem().lines().toList();
        String wrongKey = lines.get(0) + "\n" + lines.get(1).substring(0, 40) + "\n" + lines.get(lines.size() - 1) + "\n";
        assertThatThrownBy(() -> ServerTls.create(new TlsConfig(certificate.certificatePem(), wrongKey, TlsProvider.JDK,
                Duration.ofSeconds(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("tls: the certificate chain or private key cannot be used")
                .hasMessageNotContaining(lines.get(1).substring(0, 40));
        assertThatThrownBy(() -> TlsConfig.of("not a certificate", certificate.privateKeyPem()))
                .hasMessageContaining("certificateChainPem: no certificate");
        assertThat(TlsConfig.of(certificate.certificatePem(), certificate.privateKeyPem()).toString())
                .doesNotContain(certificate.privateKeyPem().lines().skip(1).findFirst().orElseThrow())
                .contains("privateKeyPem=(secret)");
    }
}
