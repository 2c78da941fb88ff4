package io.fanwire.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import io.fanwire.server.ServerConfig;
import io.fanwire.server.testing.EmbeddedServices;
import io.fanwire.server.testing.RawClient.HttpAnswer;
import io.fanwire.server.testing.TestServers;
import io.fanwire.server.testing.WireReader;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

/** The pipeline of a new connection, and the HTTP limits it takes from the configuration. */
class ServerChannelInitializerTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();

    private void initialize(Consumer<ServerConfig.Builder> customizer) {
        ServerConfig.Builder config = TestServers.config();
        customizer.accept(config);
        EmbeddedServices services = EmbeddedServices.over(channel, config.build());
        channel.pipeline().addLast(new ServerChannelInitializer(services.http(() -> true, () -> true, Map::of)));
    }

    private HttpAnswer exchange(String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        WireReader wire = WireReader.outboundOf(channel);
        HttpAnswer answer = wire.readAnswer();
        assertThat(wire.exhausted()).isTrue();
        return answer;
    }

    @Test
    void newConnectionGetsTheHttpHandlersInOrder() {
        initialize(c -> { });

        assertThat(channel.pipeline().toMap().keySet()).containsExactly(PipelineNames.REQUEST_CLOCK,
                PipelineNames.HTTP_CODEC, PipelineNames.REQUEST_TIMEOUT, PipelineNames.HTTP_AGGREGATOR, PipelineNames.HANDSHAKE, PipelineNames.HTTP_ROUTES);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void withTlsTheSslHandlerAndItsEventHandlerComeFirst(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        io.fanwire.server.testing.TestCertificate certificate = io.fanwire.server.testing.TestCertificate.create(dir, "EC");
        ServerConfig config = TestServers.config().build();
        EmbeddedServices services = EmbeddedServices.over(channel, config);
        ServerTls tls = ServerTls.create(new ServerConfig.TlsConfig(certificate.certificatePem(),
                certificate.privateKeyPem(), ServerConfig.TlsProvider.JDK, java.time.Duration.ofSeconds(5)));
        channel.pipeline().addLast(new ServerChannelInitializer(services.http(() -> true, () -> true, Map::of), tls));

        assertThat(channel.pipeline().toMap().keySet()).containsExactly(PipelineNames.TLS, PipelineNames.TLS_EVENTS,
                PipelineNames.REQUEST_CLOCK, PipelineNames.HTTP_CODEC, PipelineNames.REQUEST_TIMEOUT,
                PipelineNames.HTTP_AGGREGATOR, PipelineNames.HANDSHAKE, PipelineNames.HTTP_ROUTES);
        assertThat(channel.pipeline().get(PipelineNames.TLS)).isInstanceOf(io.netty.handler.ssl.SslHandler.class);
        channel.finishAndReleaseAll();
    }

    @Test
    void requestLineOverTheConfiguredLimitIs414() {
        initialize(c -> c.maxHttpInitialLineBytes(64));

        HttpAnswer answer = exchange("GET /health/live?" + "a".repeat(64) + " HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(answer.status()).isEqualTo(414);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void headersOverTheConfiguredLimitAre431() {
        initialize(c -> c.maxHttpHeaderBytes(256));

        HttpAnswer answer = exchange("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Filler: " + "b".repeat(300)
                + "\r\n\r\n");

        assertThat(answer.status()).isEqualTo(431);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void requestWithinTheLimitsIsServed() {
        initialize(c -> c.maxHttpInitialLineBytes(64).maxHttpHeaderBytes(256));

        HttpAnswer answer = exchange("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void undecodableRequestIs400AndCloses() {
        initialize(c -> { });

        HttpAnswer answer = exchange("GET /health/live HTTP/9.X\r\nHost: x\r\n\r\n");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body()).contains("INVALID_REQUEST");
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void silentConnectionIsAnswered408AndClosedAtTheRequestDeadline() {
        channel.freezeTime();
        initialize(c -> c.limits(ServerConfig.LimitsConfig.DEFAULT.withRequestTimeout(Duration.ofSeconds(5))));

        channel.advanceTimeBy(4, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        // Bytes that never make a complete request do not move the deadline.
        channel.writeInbound(Unpooled.copiedBuffer("GET /health/live HTTP/1.1\r\nHost:", StandardCharsets.ISO_8859_1));
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        HttpAnswer answer = WireReader.outboundOf(channel).readAnswer();
        assertThat(answer.status()).isEqualTo(408);
        assertThat(answer.body()).contains("REQUEST_TIMEOUT");
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void eachResponseGivesTheNextRequestAFullDeadlineThenAnIdleConnectionCloses() {
        channel.freezeTime();
        initialize(c -> c.limits(ServerConfig.LimitsConfig.DEFAULT.withRequestTimeout(Duration.ofSeconds(5))));

        channel.advanceTimeBy(4, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(exchange("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
        channel.advanceTimeBy(4, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).as("4 s after the response").isTrue();
        assertThat(exchange("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);

        channel.advanceTimeBy(5, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.<Object>readOutbound()).as("an idle keep-alive connection is closed without an answer").isNull();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }
}
