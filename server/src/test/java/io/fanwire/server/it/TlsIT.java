package io.fanwire.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.fanwire.server.FanwireServer;
import io.fanwire.server.ServerConfig.TlsConfig;
import io.fanwire.server.ServerConfig.TlsProvider;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.Exposition;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.TestCertificate;
import io.fanwire.server.testing.TestServers;
import io.fanwire.server.testing.TlsProbeMain;

/**
 * {@code wss://} and {@code https://} with a certificate made at test time: the JDK's WebSocket and HTTP clients
 * talk to the server over TLS; a client that offers only TLS 1.1 is refused by the server (with a
 * {@code protocol_version} alert, seen by a JDK client in a JVM of its own that allows TLS 1.1); plain HTTP on the
 * TLS port, and a client that never starts its handshake, are closed; every failure is counted by reason.
 */
class TlsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Long enough for a cold JVM (the probes) to send its hello after connecting on a busy machine. */
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(3);

    @TempDir
    static Path dir;
    static TestCertificate certificate;
    static FanwireServer server;
    static HttpClient https;

    @BeforeAll
    static void start() throws Exception {
        certificate = TestCertificate.create(dir, "EC");
        server = TestServers.start(c -> c.apiPort(0).tls(new TlsConfig(certificate.certificatePem(),
                certificate.privateKeyPem(), TlsProvider.AUTO, HANDSHAKE_TIMEOUT)));
        https = HttpClient.newBuilder().sslContext(certificate.clientContext()).connectTimeout(TIMEOUT).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theJdkWebSocketClientExchangesMessagesOverWss() {
        URI uri = URI.create("wss://127.0.0.1:" + server.port() + "/ws");
        try (JdkWsClient client = JdkWsClient.connect(https, uri,
                Map.of("Authorization", "Bearer " + TestServers.token("alice")))) {
            JsonNode ready = client.nextOfType("server_ready");
            assertThat(ready.path("p").path("details").path("user_id").asText()).isEqualTo("alice");
            client.sendText("{\"t\":\"client_hello\",\"p\":{\"protocol_version\":1},\"cid\":\"h1\"}");
            assertThat(client.nextOfType("server_hello").path("p").path("protocol_version").asInt()).isEqualTo(1);
            client.sendText("{\"t\":\"ping\",\"p\":{\"timestamp\":1},\"cid\":\"p1\"}");
            assertThat(client.nextOfType("PONG").path("cid").asText()).isEqualTo("p1");
        }
    }

    @Test
    void healthAndTheServerApiAnswerOverHttpsOnBothPorts() throws Exception {
        HttpResponse<String> live = https.send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + server.port() + "/health/live")).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
        HttpResponse<String> info = https.send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + server.apiPort() + "/api/info"))
                        .header("X-API-Key", TestServers.API_KEY).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(info.statusCode()).isEqualTo(200);
        assertThat(info.body()).contains("\"node_id\"");
    }

    @Test
    void aClientOfferingOnlyTls11IsRefusedByTheServer() throws Exception {
        long before = server.stats().tlsHandshakeFailures.get("refused");
        // The control: the same client, in the same kind of JVM, completes a TLS 1.2 handshake.
        assertThat(probe("TLSv1.2")).startsWith("ok TLSv1.2 TLS_ECDHE_ECDSA_WITH_");
        String refused = probe("TLSv1.1");
        // The alert comes from the server: the client was willing to speak TLS 1.1.
        assertThat(refused).startsWith("refused javax.net.ssl.SSLHandshakeException")
                .contains("Received fatal alert: protocol_version");
        Await.count("refused handshakes", TIMEOUT, () -> server.stats().tlsHandshakeFailures.get("refused"), before + 1);
        assertThat(scrape().value("fanwire_tls_handshake_failures_total{reason=\"refused\"}"))
                .hasValue(before + 1.0);
    }

    @Test
    void plainHttpOnTheTlsPortIsClosedAndCounted() throws Exception {
        long before = server.stats().tlsHandshakeFailures.get("not_tls");
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = in.readAllBytes();
            // At most a TLS alert record; never an HTTP answer.
            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/1.1");
        }
        Await.count("not_tls handshakes", TIMEOUT, () -> server.stats().tlsHandshakeFailures.get("not_tls"), before + 1);
    }

    @Test
    void aClientThatNeverHandshakesIsClosedAfterTheTimeout() throws Exception {
        long before = server.stats().tlsHandshakeFailures.get("timeout");
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            // Silent: the handshake timeout closes the connection (read returns -1).
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        Await.count("timed-out handshakes", TIMEOUT, () -> server.stats().tlsHandshakeFailures.get("timeout"), before + 1);
    }

    @Test
    void theJdkProviderWithAnRsaCertificateServesWssAndRefusesTls11Too() throws Exception {
        TestCertificate rsa = TestCertificate.create(Files.createDirectory(dir.resolve("rsa")), "RSA");
        try (FanwireServer jdk = TestServers.start(c -> c.tls(new TlsConfig(rsa.certificatePem(), rsa.privateKeyPem(),
                TlsProvider.JDK, TlsConfig.DEFAULT_HANDSHAKE_TIMEOUT)))) {
            HttpClient client = HttpClient.newBuilder().sslContext(rsa.clientContext()).connectTimeout(TIMEOUT).build();
            try (JdkWsClient ws = JdkWsClient.connect(client, URI.create("wss://127.0.0.1:" + jdk.port() + "/ws"),
                    Map.of("Authorization", "Bearer " + TestServers.token("dave")))) {
                ws.nextOfType("server_ready");
                ws.sendText("{\"t\":\"ping\",\"p\":{\"timestamp\":1},\"cid\":\"p2\"}");
                assertThat(ws.nextOfType("PONG").path("cid").asText()).isEqualTo("p2");
            }
            assertThat(probe(jdk.port(), rsa, "TLSv1.2")).startsWith("ok TLSv1.2 TLS_ECDHE_RSA_WITH_");
            assertThat(probe(jdk.port(), rsa, "TLSv1.1")).contains("Received fatal alert: protocol_version");
            Await.count("refused handshakes", TIMEOUT, () -> jdk.stats().tlsHandshakeFailures.get("refused"), 1);
        }
    }

    private static Exposition scrape() throws Exception {
        HttpResponse<String> answer = https.send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + server.apiPort() + "/metrics")).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Exposition(answer.statusCode(), answer.headers().firstValue("Content-Type").orElse(""), answer.body());
    }

    /** Runs {@link TlsProbeMain} in a JVM whose security properties allow TLS 1.1 and 1.2 alike. */
    private static String probe(String protocol) throws Exception {
        return probe(server.port(), certificate, protocol);
    }

    private static String probe(int port, TestCertificate trusted, String protocol) throws Exception {
        Path security = Files.writeString(dir.resolve("allow-tls11.security"),
                "jdk.tls.disabledAlgorithms=SSLv3, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, "
                        + "3DES_EDE_CBC, anon, NULL\n");
        Process process = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.security.properties=" + security, "-cp", System.getProperty("java.class.path"),
                TlsProbeMain.class.getName(), "127.0.0.1", String.valueOf(port), protocol,
                trusted.certificateFile().toString()))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("probe finished: %s", output).isTrue();
        return output;
    }
}
