package io.fanwire.server.transport;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.net.ssl.SSLException;

import io.fanwire.server.ServerConfig.TlsConfig;
import io.fanwire.server.ServerConfig.TlsProvider;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

/**
 * The server's TLS: one {@link SslContext} for every listener, TLS 1.3 and 1.2 only, AEAD cipher suites only
 * (forward-secret ECDHE for TLS 1.2), built from the PEM material of a {@link TlsConfig}. OpenSSL (BoringSSL
 * through netty-tcnative) when it is available and allowed, the JDK's implementation otherwise.
 */
public final class ServerTls {

    /** Protocol versions offered; TLS 1.1 and older are refused with a {@code protocol_version} alert. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * Cipher suites, strongest first: TLS 1.3's (all AEAD), then TLS 1.2's ECDHE with AES-GCM or ChaCha20-Poly1305.
     * No CBC, no RSA key exchange, no static DH; those a provider lacks are left out.
     */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final SslContext context;
    private final SslProvider provider;
    private final long handshakeTimeoutMillis;

    private ServerTls(SslContext context, SslProvider provider, long handshakeTimeoutMillis) {
        this.context = context;
        this.provider = provider;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    /**
     * The server's TLS for {@code config}.
     *
     * @throws IllegalArgumentException when the certificate chain or key cannot be used (naming which)
     * @throws IllegalStateException when OpenSSL was required and is not available
     */
    public static ServerTls create(TlsConfig config) {
        SslProvider provider = provider(config.provider());
        SslContext context;
        try {
            context = SslContextBuilder.forServer(
                            new ByteArrayInputStream(config.certificateChainPem().getBytes(StandardCharsets.US_ASCII)),
                            new ByteArrayInputStream(config.privateKeyPem().getBytes(StandardCharsets.US_ASCII)))
                    .sslProvider(provider)
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                    .clientAuth(ClientAuth.NONE)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            // Netty's message names the part it could not read; the key material itself is never in it.
            throw new IllegalArgumentException("tls: the certificate chain or private key cannot be used: "
                    + e.getMessage(), e);
        }
        return new ServerTls(context, provider, config.handshakeTimeout().toMillis());
    }

    /** The provider {@code requested} resolves to on this machine. */
    static SslProvider provider(TlsProvider requested) {
        return switch (requested) {
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalStateException("tls.provider: openssl is not available ("
                            + OpenSsl.unavailabilityCause() + "); use auto or jdk");
                }
                yield SslProvider.OPENSSL;
            }
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    /** A handler for a new connection, closing it when the handshake takes longer than the timeout. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        SslHandler handler = context.newHandler(alloc);
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return handler;
    }

    /** The implementation in use: {@code openssl} or {@code jdk}. */
    public String providerName() {
        return provider == SslProvider.JDK ? "jdk" : "openssl";
    }

    /** What the implementation reports about itself, for the start-up log (e.g. {@code BoringSSL}). */
    public String providerVersion() {
        return provider == SslProvider.JDK ? "Java " + Runtime.version().feature() : OpenSsl.versionString();
    }

    /** The cipher suites in use (those of {@link #CIPHER_SUITES} the provider has). */
    public List<String> cipherSuites() {
        return context.cipherSuites();
    }
}
