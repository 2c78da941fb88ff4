package io.fanwire.server.session;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import io.fanwire.common.codec.WireFormat;
import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ServerMessage;
import io.fanwire.common.protocol.Timestamps;
import io.fanwire.server.drain.ConnectionInfo;
import io.fanwire.server.drain.EventSource;
import io.fanwire.server.transport.PipelineNames;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;

/**
 * Everything the server keeps about one connection, in one object. Fields without {@code volatile} belong
 * to the connection's event loop and are touched only there.
 */
public final class Session implements EventSource {

    /** How long a close handshake may take before the TCP connection is closed regardless. */
    static final long CLOSE_GRACE_MILLIS = 2000;

    /** Replaced (on the event loop) by a successful refresh; read by any thread. */
    private volatile ConnectionInfo info;
    private final Channel channel;

    /** Per-connection diagnostic counter of outbound messages ({@code seq}). Event loop only. */
    long seq;
    /** Whether the client asked for compressed frames in {@code client_hello}. Event loop only. */
    boolean compression;
    /** Negotiated protocol version. Event loop only. */
    int protocolVersion = Envelope.PROTOCOL_VERSION;
    /** The event loop's {@code ticker().nanoTime()} at the last inbound frame. Event loop only. */
    long lastActivityNanos;
    /** When the next server ping is due. Event loop only. */
    long nextPingNanos;
    /** When the connection reaches its maximum lifetime, if there is one (the heartbeat's clock). Event loop only. */
    long lifetimeEndNanos;
    /** Index in the event loop's session list, for constant-time removal. Event loop only. */
    int loopIndex = -1;
    /** The close code and reason to report; the client's, ours, or 1006 when neither was exchanged. */
    int closeCode = 1006;
    String closeReason = "";
    /** Set once a close was initiated by either side. Event loop only. */
    boolean closing;
    /** Why reads are paused now: a set of {@code PAUSED_BY_*} bits. Event loop only. */
    private int pausedBy;

    private volatile Object sinkState;
    /** The frame encoder's context, once found (see {@link #wireContext}). Event loop only. */
    private ChannelHandlerContext wireContext;
    /** The connection's subscriptions by topic, owned by the pub/sub engine. Event loop only. */
    private Map<String, Object> subscriptions;
    /** The connection's topic ACL, owned by the pub/sub engine; built on first use. Event loop only. */
    private Object acl;

    // Abuse limits and token lifetime (docs/PROTOCOL.md §4.8, §6.2). Event loop only, except where noted.
    /** The connection's message and control-frame budgets; set when the connection starts. */
    InboundLimiter limiter;
    /** The current token's {@code exp}, replaced by a refresh; {@code null} without authentication. Any thread. */
    private volatile Instant tokenExpiresAt;
    /** The current token's claims, replaced by a refresh. */
    private Map<String, Object> claims;
    /** Whether the token's lifetime is watched; when {@code token_expiring} is due, and when the token is dead. */
    private boolean tokenWatched;
    private boolean tokenWarningPending;
    private long tokenWarningNanos;
    private long tokenDeadlineNanos;
    /** Set when the connection was closed because its token expired. */
    boolean tokenExpired;

    Session(ConnectionInfo info, Channel channel, Instant tokenExpiresAt) {
        this.info = Objects.requireNonNull(info, "info");
        this.channel = Objects.requireNonNull(channel, "channel");
        this.tokenExpiresAt = tokenExpiresAt;
        this.claims = info.claims();
    }

    /** What the application knows about this connection now: after a refresh, with the new token's claims. */
    public ConnectionInfo info() {
        return info;
    }

    /** The connection's channel. */
    public Channel channel() {
        return channel;
    }

    /**
     * Where complete, already framed WebSocket bytes are written: the context of Netty's frame encoder, so that
     * they go on toward the socket (through TLS, if any) without visiting the handlers above it. Falls back to the
     * pipeline's tail (the bytes pass the encoders untouched) before the upgrade has installed the encoder.
     * Event loop only.
     */
    public ChannelHandlerContext wireContext() {
        ChannelHandlerContext ctx = wireContext;
        if (ctx == null || ctx.isRemoved()) {
            ctx = channel.pipeline().context(PipelineNames.WS_ENCODER);
            if (ctx == null) {
                return channel.pipeline().lastContext();
            }
            wireContext = ctx;
        }
        return ctx;
    }

    /**
     * When the connection's token expires: the one it authenticated with, or the last one it refreshed with;
     * {@code null} without authentication.
     */
    public Instant tokenExpiresAt() {
        return tokenExpiresAt;
    }

    /** The claims of the connection's current token (those of {@link #info()}, until a refresh). Event loop only. */
    public Map<String, Object> claims() {
        return claims;
    }

    /**
     * Takes a refreshed token: its expiry and claims from now on, and no ACL until the pub/sub engine builds one
     * from them. Event loop only.
     */
    void refreshToken(Instant expiresAt, Map<String, Object> claims) {
        this.tokenExpiresAt = expiresAt;
        this.claims = Map.copyOf(claims);
        this.info = info.withClaims(this.claims);
        this.acl = null;
    }

    /**
     * Watches the current token: {@code token_expiring} is due at {@code warningNanos} and the connection closes
     * at {@code deadlineNanos} (event loop ticker times). Event loop only.
     */
    void watchToken(long warningNanos, long deadlineNanos) {
        tokenWatched = true;
        tokenWarningPending = true;
        tokenWarningNanos = warningNanos;
        tokenDeadlineNanos = deadlineNanos;
    }

    /**
     * Sends {@code token_expiring} once it is due, and closes with 4401 once the token is dead. Called by the
     * heartbeat's sweep and before each inbound message; true when it closed the connection. Event loop only.
     */
    boolean checkToken(long now) {
        if (!tokenWatched) {
            return false;
        }
        if (now - tokenDeadlineNanos >= 0) {
            tokenWatched = false;
            tokenExpired = true;
            close0(CloseCodes.AUTH_FAILED, "token expired");
            return true;
        }
        if (tokenWarningPending && now - tokenWarningNanos >= 0) {
            tokenWarningPending = false;
            send(new ServerMessage.TokenExpiring(Timestamps.format(tokenExpiresAt)));
        }
        return false;
    }


    /** The connection's outbound encoding. */
    public WireFormat format() {
        return info.format();
    }

    /** Queues {@code message} and flushes. Thread-safe, never blocks; dropped when the connection is closed. */
    public void send(ServerMessage message) {
        channel.writeAndFlush(message, channel.voidPromise());
    }

    /** Queues {@code message} without flushing. Event loop only; the caller flushes. */
    void write(ServerMessage message) {
        channel.write(message, channel.voidPromise());
    }

    /**
     * Closes the connection with a close frame of {@code code} and {@code reason}, then the TCP connection.
     * Thread-safe; a second close is ignored.
     */
    public void close(int code, String reason) {
        if (channel.eventLoop().inEventLoop()) {
            close0(code, reason);
        } else {
            channel.eventLoop().execute(() -> close0(code, reason));
        }
    }

    private void close0(int code, String reason) {
        close0(code, reason, false);
    }

    /**
     * Closes with {@code code} like {@link #close}, but leaves the TCP connection open until the client answers the
     * close frame (or the grace period ends), reading and discarding what it still sends. For a client that is
     * still writing (a flood): closing the socket on unread data would reset the connection, and the client would
     * never see the close code. Event loop only.
     */
    void closeAwaitingPeer(int code, String reason) {
        close0(code, reason, true);
    }

    private void close0(int code, String reason, boolean awaitPeer) {
        if (closing || !channel.isActive()) {
            return;
        }
        closing = true;
        closeCode = code;
        closeReason = SessionHandler.closeReason(reason);
        ChannelFuture written = channel.writeAndFlush(new CloseWebSocketFrame(code, closeReason));
        if (!awaitPeer) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
        // A client that reads nothing never lets the close frame out (it waits behind everything unread), and
        // one that never answers it keeps the connection: either way the TCP connection goes after a grace period.
        channel.eventLoop().schedule(() -> {
            if (channel.isOpen()) {
                channel.close();
            }
        }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The connection's subscriptions by topic (created on first use). Event loop only. */
    public Map<String, Object> subscriptions() {
        if (subscriptions == null) {
            subscriptions = new HashMap<>(4);
        }
        return subscriptions;
    }

    /** Whether the connection holds any subscription. Event loop only. */
    public boolean hasSubscriptions() {
        return subscriptions != null && !subscriptions.isEmpty();
    }

    /** The pub/sub engine's ACL object for this connection, or {@code null} before first use. Event loop only. */
    public Object acl() {
        return acl;
    }

    /** Sets the pub/sub engine's ACL object. Event loop only. */
    public void acl(Object acl) {
        this.acl = acl;
    }

    /** Whether a close was initiated by either side. Event loop only. */
    public boolean closing() {
        return closing;
    }

    /** Reads are paused because the application is behind (drain backpressure). */
    static final int PAUSED_BY_APPLICATION = 1;
    /** Reads are paused because the client does not read what it is sent (outbound buffer full). */
    static final int PAUSED_BY_OUTBOUND = 2;

    @Override
    public void pauseReading() {
        pause(PAUSED_BY_APPLICATION);
    }

    @Override
    public void resumeReading() {
        channel.eventLoop().execute(() -> resume(PAUSED_BY_APPLICATION));
    }

    /** Pauses reads for {@code reason}; reads resume once every reason is gone. Event loop only. */
    void pause(int reason) {
        pausedBy |= reason;
        channel.config().setAutoRead(false);
    }

    /** Withdraws {@code reason} for pausing, resuming reads when none is left. Event loop only. */
    void resume(int reason) {
        if ((pausedBy & reason) == 0) {
            return;
        }
        pausedBy &= ~reason;
        if (reason == PAUSED_BY_APPLICATION) {
            // Time spent waiting for the application is not the client's silence.
            lastActivityNanos = channel.eventLoop().ticker().nanoTime();
        }
        if (pausedBy == 0 && channel.isActive()) {
            channel.config().setAutoRead(true);
        }
    }

    /** Whether reads are paused because the application is behind. Event loop only. */
    boolean pausedByApplication() {
        return (pausedBy & PAUSED_BY_APPLICATION) != 0;
    }

    @Override
    public Object sinkState() {
        return sinkState;
    }

    @Override
    public void sinkState(Object state) {
        this.sinkState = state;
    }

    @Override
    public String toString() {
        return "Session[" + info.id() + ", user " + info.userId() + ", " + channel.remoteAddress()
                + (closing ? ", closing " + CloseCodes.name(closeCode) : "") + "]";
    }
}
