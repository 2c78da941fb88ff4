package io.fanwire.server.transport;

import java.nio.channels.ClosedChannelException;

import javax.net.ssl.SSLException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fanwire.server.metrics.ServerStats;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;

/**
 * Sits right after the {@code SslHandler}: counts failed TLS handshakes by a reason from a small set
 * ({@link ServerStats#tlsHandshakeFailures}), and keeps TLS errors, which a client's bytes cause, out of the
 * later handlers and the WARN log. The {@code SslHandler} closes the connection itself.
 *
 * <p>Stateless: one instance serves every connection.
 */
@ChannelHandler.Sharable
public final class TlsEventHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(TlsEventHandler.class);

    private final ServerStats stats;

    public TlsEventHandler(ServerStats stats) {
        this.stats = stats;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent completion && !completion.isSuccess()) {
            String reason = reason(completion.cause());
            stats.tlsHandshakeFailures.increment(reason);
            if (LOG.isDebugEnabled()) {
                LOG.debug("TLS handshake with {} failed ({}): {}", ctx.channel().remoteAddress(), reason,
                        completion.cause().toString());
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof SSLException || cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("TLS error on {}: {}", ctx.channel().remoteAddress(), cause.toString());
            }
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    /** The counter label of a failed handshake. */
    static String reason(Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof NotSslRecordException) {
            return "not_tls";
        }
        if (c instanceof SslHandshakeTimeoutException) {
            return "timeout";
        }
        if (c instanceof ClosedChannelException) {
            return "closed";
        }
        return "refused";
    }
}
