package io.fanwire.server.transport;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fanwire.server.metrics.ServerStats;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The last handler of a listening channel: counts failed accepts and logs them at WARN at most once per
 * {@link #LOG_INTERVAL_NANOS}, with the number suppressed since.
 *
 * <p>It does not recover by itself, because Netty already does: when {@code accept(2)} fails (EMFILE, "Too many open
 * files", is the usual case), the transport keeps the listening socket open (an {@code IOException} on a server
 * channel is not a reason to close it), and {@code ServerBootstrap}'s acceptor turns {@code autoRead} off for one
 * second before it passes the exception on, so the loop neither spins on the error nor stops serving; the pending
 * connections wait in the backlog. This handler sits behind that acceptor (added after the bind) so the exception
 * ends here instead of at the pipeline's tail, which would log a WARN with a stack trace every time.
 *
 * <p>One per listening channel; touched only on its event loop.
 */
public final class AcceptErrorHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(AcceptErrorHandler.class);
    /** At most one WARN per interval, however often accepts fail. */
    static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** The reason label of EMFILE and ENFILE. */
    public static final String TOO_MANY_OPEN_FILES = "too_many_open_files";
    /** The reason label of any other failure. */
    public static final String OTHER = "other";

    private final ServerStats.Labelled errors;
    private long lastLogNanos;
    private boolean logged;
    private long suppressed;

    public AcceptErrorHandler(ServerStats.Labelled errors) {
        this.errors = errors;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        String reason = reason(cause);
        errors.increment(reason);
        long now = ctx.executor().ticker().nanoTime();
        if (!logged || now - lastLogNanos >= LOG_INTERVAL_NANOS) {
            logged = true;
            lastLogNanos = now;
            LOG.warn("Accepting a connection on {} failed ({}; {} more since the last report); accepting pauses "
                    + "for 1 s and goes on", ctx.channel().localAddress(), cause.toString(), suppressed);
            suppressed = 0;
        } else {
            suppressed++;
        }
    }

    /** {@link #TOO_MANY_OPEN_FILES} for EMFILE or ENFILE, else {@link #OTHER}. */
    static String reason(Throwable cause) {
        String message = cause.getMessage();
        if (cause instanceof IOException && message != null
                && message.toLowerCase(Locale.ROOT).contains("too many open files")) {
            return TOO_MANY_OPEN_FILES;
        }
        return OTHER;
    }
}
