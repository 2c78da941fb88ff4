package io.fanwire.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

import io.fanwire.server.metrics.ServerStats;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;

class TlsEventHandlerTest {

    private final ServerStats stats = new ServerStats();
    private final List<Object> events = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new TlsEventHandler(stats),
            new ChannelInboundHandlerAdapter() {
                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                    events.add(evt);
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    errors.add(cause);
                }
            });

    @Test
    void failedHandshakesAreCountedByReasonAndPassedOn() {
        channel.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(new NotSslRecordException("plain")));
        channel.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(
                new SslHandshakeTimeoutException("handshake timed out after 10000ms")));
        channel.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(new ClosedChannelException()));
        channel.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(
                new DecoderException(new SSLHandshakeException("no protocols available"))));
        channel.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);

        assertThat(stats.tlsHandshakeFailures.snapshot())
                .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("not_tls", 1L, "timeout", 1L, "closed", 1L,
                        "refused", 1L));
        assertThat(events).hasSize(5).last().isEqualTo(SslHandshakeCompletionEvent.SUCCESS);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void tlsErrorsCloseTheConnectionWithoutReachingLaterHandlers() {
        channel.pipeline().fireExceptionCaught(new DecoderException(new SSLHandshakeException("bad record MAC")));

        assertThat(errors).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void otherErrorsPassOn() {
        IllegalStateException bug = new IllegalStateException("not TLS");
        channel.pipeline().fireExceptionCaught(bug);

        assertThat(errors).containsExactly(bug);
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }
}
