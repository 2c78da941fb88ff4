package io.fanwire.server.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fanwire.common.jwt.JwtVerifier;
import io.fanwire.common.jwt.TokenRejectedException;
import io.fanwire.common.jwt.VerifiedToken;
import io.fanwire.common.protocol.ApplicationMessage;
import io.fanwire.common.protocol.ClientMessage;
import io.fanwire.common.protocol.ClientMessage.ClientHello;
import io.fanwire.common.protocol.ClientMessage.ClientPing;
import io.fanwire.common.protocol.ClientMessage.ClientPong;
import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ErrorCode;
import io.fanwire.common.protocol.Features;
import io.fanwire.common.protocol.ProtocolException;
import io.fanwire.common.protocol.ServerMessage;
import io.fanwire.common.protocol.ServerMessage.ErrorMessage;
import io.fanwire.common.protocol.ServerMessage.Limits;
import io.fanwire.common.protocol.ServerMessage.RateLimitWarning;
import io.fanwire.common.protocol.ServerMessage.RefreshOk;
import io.fanwire.common.protocol.ServerMessage.ServerHello;
import io.fanwire.common.protocol.ServerMessage.ServerPong;
import io.fanwire.common.protocol.ServerMessage.ServerReady;
import io.fanwire.common.protocol.Timestamps;
import io.fanwire.server.ServerConfig;
import io.fanwire.server.drain.ConnectionInfo;
import io.fanwire.server.drain.InboundEvent;
import io.fanwire.server.transport.PipelineNames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.ReferenceCountUtil;

/**
 * The protocol handler of one connection after the upgrade, and the last handler of its pipeline. Answers
 * pings and {@code client_hello} on the I/O thread, hands everything else to the application's event sink,
 * and reports the connection's end. Replies are written without a flush; one flush per read batch sends them.
 */
public final class SessionHandler extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(SessionHandler.class);
    /** RFC 6455 allows 123 bytes of close reason. */
    private static final int MAX_CLOSE_REASON_BYTES = 123;
    private static final long CENTURY_MILLIS = 100L * 365 * 86_400_000;

    private final SessionServices services;
    private final Session session;
    private boolean started;

    private SessionHandler(SessionServices services, Session session) {
        this.services = services;
        this.session = session;
    }

    /**
     * Adds the post-upgrade handlers to {@code pipeline} for a connection described by {@code info}; call
     * {@link #start()} once the handshake response is out.
     */
    public static SessionHandler install(ChannelPipeline pipeline, SessionServices services, ConnectionInfo info,
                                         Instant tokenExpiresAt) {
        ServerConfig config = services.config();
        Session session = new Session(info, pipeline.channel(), tokenExpiresAt);
        // Before any frame can be read: the budgets apply from the first one.
        session.limiter = new InboundLimiter(config.rateLimit(), pipeline.channel().eventLoop().ticker().nanoTime());
        SessionHandler handler = new SessionHandler(services, session);
        pipeline.addLast(PipelineNames.WS_UTF8, new TextFrameValidator());
        pipeline.addLast(PipelineNames.WS_AGGREGATOR, new WebSocketFrameAggregator(config.maxMessageBytes()));
        pipeline.addLast(PipelineNames.SESSION, handler);
        return handler;
    }

    /** The connection's state. */
    public Session session() {
        return session;
    }

    /**
     * Registers the connection, sends {@code server_ready} (always its first frame) and tells the application.
     * Called on the event loop after the handshake response was written.
     */
    public void start() {
        if (!session.channel().isActive()) {
            return;
        }
        started = true;
        watchToken(session.channel().eventLoop().ticker().nanoTime());
        services.registry().add(session);
        services.heartbeat().register(session);
        services.stats().connectionsAccepted.increment();
        services.stats().connectionsActive.incrementAndGet();
        ConnectionInfo info = session.info();
        if (services.echoFrames()) {
            services.sink().offer(new InboundEvent.Connected(info), session);
            return;
        }
        session.send(new ServerReady(info.id().toString(), info.userId(), Envelope.PROTOCOL_VERSION,
                services.features(), Timestamps.format(info.connectedAt())));
        services.sink().offer(new InboundEvent.Connected(info), session);
    }

    /**
     * Encodes the connection's outbound {@link ServerMessage}s into frames ({@link EnvelopeEncoder}); frames and
     * bytes pass on as they are.
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ServerConfig config = services.config();
        EnvelopeEncoder.write(ctx, msg, promise, session, services.codec(),
                config.jsonFrames() == ServerConfig.JsonFrames.BINARY, config.compressionThreshold(), services.stats());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        // The event loop's clock, which the heartbeat reads too.
        long now = ctx.executor().ticker().nanoTime();
        session.lastActivityNanos = now;
        try {
            if (services.echoFrames() && (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame)) {
                ctx.write(frame.retainedDuplicate(), ctx.voidPromise());
            } else if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
                onMessage(frame.content(), frame instanceof TextWebSocketFrame, now);
            } else if (frame instanceof PingWebSocketFrame) {
                if (admitControlFrame(now)) {
                    ctx.write(new PongWebSocketFrame(frame.content().retain()), ctx.voidPromise());
                }
            } else if (frame instanceof CloseWebSocketFrame close) {
                onClose(ctx, close);
            } else if (frame instanceof PongWebSocketFrame) {
                // Activity, and a control frame: a pong flood costs the same reads as a ping flood.
                admitControlFrame(now);
            }
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    private void onMessage(ByteBuf content, boolean text, long now) {
        services.stats().messagesIn.increment();
        services.stats().bytesIn.add(content.readableBytes());
        // A dead token is closed here too, not only at the next sweep: nothing is processed under it.
        if (session.closing || session.checkToken(now) || !admitMessage(now)) {
            return;
        }
        Envelope envelope;
        try {
            envelope = services.codec().decode(content, text);
        } catch (ProtocolException e) {
            reject(e, null);
            return;
        }
        ClientMessage message;
        try {
            message = ClientMessage.from(envelope);
        } catch (ProtocolException e) {
            // The envelope was readable, so the reply can name the request it answers.
            reject(e, envelope.correlationId());
            return;
        }
        switch (message) {
            case ClientPing ping -> {
                long wallMillis = System.currentTimeMillis();
                long latency = ping.timestamp() >= 0 ? wallMillis - ping.timestamp() : 0;
                ServerPong pong = new ServerPong(ping.timestamp(), wallMillis, latency);
                session.write(ping.correlationId() == null ? pong
                        : new ApplicationMessage(pong.toEnvelope().withCorrelationId(ping.correlationId())));
            }
            case ClientPong ignored -> {
                // Activity is all a pong means; it was recorded above.
            }
            case ClientHello hello -> onHello(hello, envelope.correlationId());
            case ClientMessage.Subscription subscription -> services.pubsub().subscribe(session, subscription, true);
            case ClientMessage.Publish publish -> services.pubsub().publish(session, publish);
            case ClientMessage.PresenceQuery query -> services.pubsub().presence(session, query);
            case ClientMessage.Refresh refresh -> onRefresh(refresh);
            case ApplicationMessage app -> {
                byte[] raw = ByteBufUtil.getBytes(content);
                InboundEvent.Message event = new InboundEvent.Message(session.info(), app.envelope(), raw);
                if (!services.sink().offer(event, session)) {
                    services.stats().protocolErrors.increment(ErrorCode.SERVER_ERROR.name());
                    session.write(new ErrorMessage(ErrorCode.SERVER_ERROR.name(),
                            "server busy: inbound queue full, message not accepted", true, 1,
                            app.envelope().correlationId()));
                }
            }
        }
    }

    /** Answers {@code hello}; {@code correlationId} is its {@code cid}, for an error (docs/PROTOCOL.md §6.1). */
    private void onHello(ClientHello hello, String correlationId) {
        if (hello.protocolVersion() < 1) {
            reject(new ProtocolException(ErrorCode.INVALID_MESSAGE,
                    "protocol_version " + hello.protocolVersion() + " is not supported (expected: >= 1)"),
                    correlationId);
            return;
        }
        ServerConfig config = services.config();
        Features granted = services.features().intersect(hello.features());
        session.compression = granted.compression();
        session.protocolVersion = Math.min(hello.protocolVersion(), Envelope.PROTOCOL_VERSION);
        Instant expires = session.tokenExpiresAt();
        session.write(new ServerHello(services.serverVersion(), session.protocolVersion, granted,
                new Limits(config.maxMessageBytes(), config.rateLimit().messageCapacity(),
                        config.rateLimit().limitsMessages() ? config.rateLimit().messageRefillPerSecond() : 0),
                config.pingInterval().toMillis(),
                session.info().id().toString(), Timestamps.format(System.currentTimeMillis()),
                expires == null ? null : Timestamps.format(expires), null));
    }

    /**
     * Spends a message token (docs/PROTOCOL.md §6.2). A message over the budget is answered {@code RATE_LIMITED}
     * without being decoded, so it has no {@code cid}; too many of those close the connection with 1008.
     */
    private boolean admitMessage(long now) {
        InboundLimiter limiter = session.limiter;
        return switch (limiter.tryMessage(now)) {
            case ACCEPT -> true;
            case ACCEPT_AND_WARN -> {
                services.stats().rateLimitWarnings.increment();
                session.write(new RateLimitWarning(roundMillis(limiter.currentRate(now)),
                        services.config().rateLimit().messageCapacity(), limiter.remainingMessages(),
                        roundMillis(limiter.secondsUntilFull())));
                yield true;
            }
            case REJECT -> {
                services.stats().rateLimitedMessages.increment();
                services.stats().protocolErrors.increment(ErrorCode.RATE_LIMITED.name());
                session.write(new ErrorMessage(ErrorCode.RATE_LIMITED.name(),
                        "over the message rate limit: message not processed", true,
                        roundMillis(limiter.secondsUntilNextMessage()), null));
                yield false;
            }
            case CLOSE -> {
                services.stats().rateLimitedMessages.increment();
                closeForAbuse("message_rate", "message rate limit exceeded");
                yield false;
            }
        };
    }

    /** Spends a control-frame token; false when the frame is over budget (a ping then goes unanswered). */
    private boolean admitControlFrame(long now) {
        if (session.closing) {
            return false;
        }
        if (session.limiter.tryControlFrame(now)) {
            return true;
        }
        services.stats().controlFramesRefused.increment();
        if (session.limiter.overViolationLimit()) {
            closeForAbuse("control_rate", "control frame rate limit exceeded");
        }
        return false;
    }

    private void closeForAbuse(String label, String reason) {
        services.stats().abuseCloses.increment(label);
        LOG.debug("{}: closing with 1008: {}", session, reason);
        session.channel().flush();
        session.closeAwaitingPeer(CloseCodes.POLICY_VIOLATION, reason);
    }

    private static double roundMillis(double seconds) {
        return Math.ceil(seconds * 1000) / 1000;
    }

    /** Watches the connection's current token: {@code token_expiring}, then 4401 (docs/PROTOCOL.md §4.8). */
    private void watchToken(long now) {
        Instant expires = session.tokenExpiresAt();
        if (expires == null || !services.config().auth().required()) {
            return;
        }
        ServerConfig.AuthConfig auth = services.config().auth();
        // Signed: a token accepted inside its leeway (exp already past) dies at exp + leeway, not later.
        long untilExpiry = nanosUntil(expires);
        long warning = untilExpiry - Math.clamp(untilExpiry, 0, auth.tokenExpiryWarning().toNanos());
        session.watchToken(now + warning, now + untilExpiry + auth.jwt().leeway().toNanos());
    }

    /**
     * Nanoseconds from now to {@code instant} by the services' clock, negative when past; clamped to a century
     * either way so that ticker arithmetic never overflows.
     */
    private long nanosUntil(Instant instant) {
        long millis = instant.toEpochMilli() - services.clock().millis();
        return TimeUnit.MILLISECONDS.toNanos(Math.clamp(millis, -CENTURY_MILLIS, CENTURY_MILLIS));
    }

    /**
     * A new token for the connection: it must pass every handshake check and name the same user. The connection
     * then lives by the new token's {@code exp} and topic ACL. A refused refresh changes nothing: the connection
     * stays until its current token expires.
     */
    private void onRefresh(ClientMessage.Refresh refresh) {
        JwtVerifier verifier = services.verifier();
        if (verifier == null) {
            refuseRefresh("disabled", "authentication is off: there is no token to refresh", refresh.correlationId());
            return;
        }
        VerifiedToken token;
        try {
            token = verifier.verify(refresh.token());
        } catch (TokenRejectedException e) {
            refuseRefresh(e.reason().label(), "invalid token: " + e.getMessage(), refresh.correlationId());
            return;
        }
        if (!token.subject().equals(session.info().userId())) {
            refuseRefresh("wrong_subject", "the token is for another user (sub must stay the same)",
                    refresh.correlationId());
            return;
        }
        session.refreshToken(token.expiresAt(), token.claims());
        watchToken(session.channel().eventLoop().ticker().nanoTime());
        services.stats().tokenRefreshes.increment("ok");
        session.write(new RefreshOk(Timestamps.format(token.expiresAt()), refresh.correlationId()));
        services.pubsub().aclChanged(session);
    }

    /** Answers a refused refresh, and counts it as a violation: a client that keeps trying ends with 1008. */
    private void refuseRefresh(String label, String message, String correlationId) {
        services.stats().tokenRefreshes.increment(label);
        services.stats().protocolErrors.increment(ErrorCode.AUTH_FAILED.name());
        LOG.debug("{}: refresh refused: {}", session, message);
        session.write(ErrorMessage.of(ErrorCode.AUTH_FAILED, message, correlationId));
        if (session.limiter.violation(session.channel().eventLoop().ticker().nanoTime())) {
            closeForAbuse("refresh", "too many refused refreshes");
        }
    }

    private void reject(ProtocolException e, String correlationId) {
        services.stats().protocolErrors.increment(e.code().name());
        if (LOG.isDebugEnabled()) {
            LOG.debug("{}: {} {}", session, e.code(), e.getMessage());
        }
        session.write(ErrorMessage.of(e.code(), e.getMessage(), correlationId));
        if (e.fatal()) {
            session.channel().flush();
            session.close(e.closeCode(), closeReason(e.getMessage()));
        }
    }

    private void onClose(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
        if (session.closing) {
            // The peer answered our close frame: the close handshake is complete.
            ctx.close();
            return;
        }
        session.closing = true;
        int code = close.statusCode();
        session.closeCode = code < 0 ? 1005 : code;
        session.closeReason = code < 0 ? "" : close.reasonText();
        CloseWebSocketFrame reply = code < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, "");
        ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Stops reading from a client that does not read what it is sent, so that what it asks for (pongs,
     * replies, errors) cannot pile up without bound; reads resume once its outbound buffer drains.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            session.resume(Session.PAUSED_BY_OUTBOUND);
        } else {
            session.pause(Session.PAUSED_BY_OUTBOUND);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (started) {
            started = false;
            services.registry().remove(session);
            services.heartbeat().unregister(session);
            services.pubsub().unsubscribeAll(session);
            services.stats().connectionsActive.decrementAndGet();
            if (session.tokenExpired) {
                services.stats().tokenExpiryCloses.increment();
            }
            services.stats().disconnects.increment(CloseCodes.name(session.closeCode));
            services.sink().offer(new InboundEvent.Disconnected(session.info(), session.closeCode,
                    session.closeReason), session);
            services.sink().release(session);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException corrupted) {
            // The decoder or the UTF-8 validator has already sent its close frame.
            services.stats().protocolErrors.increment("FRAME_" + corrupted.closeStatus().code());
            if (!session.closing) {
                session.closing = true;
                session.closeCode = corrupted.closeStatus().code();
                session.closeReason = String.valueOf(corrupted.getMessage());
            }
            LOG.debug("{}: corrupted frame: {}", session, corrupted.getMessage());
        } else if (cause instanceof TooLongFrameException) {
            services.stats().protocolErrors.increment(ErrorCode.MESSAGE_TOO_LARGE.name());
            session.close(CloseCodes.MESSAGE_TOO_BIG, "message too big");
        } else if (cause instanceof IOException) {
            LOG.debug("{}: I/O error: {}", session, cause.toString());
            ctx.close();
        } else if (cause instanceof PrematureChannelClosureException) {
            // The client went away in the middle of a fragmented message (often after a close for its bad input).
            LOG.debug("{}: closed mid-message", session);
            ctx.close();
        } else {
            LOG.warn("{}: unexpected error; closing with 1011", session, cause);
            session.close(CloseCodes.INTERNAL_ERROR, "internal error");
        }
    }

    /** {@code reason} cut to what a close frame can carry, on a character boundary. */
    static String closeReason(String reason) {
        if (reason.getBytes(StandardCharsets.UTF_8).length <= MAX_CLOSE_REASON_BYTES) {
            return reason;
        }
        StringBuilder out = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < reason.length(); ) {
            int cp = reason.codePointAt(i);
            int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + len > MAX_CLOSE_REASON_BYTES) {
                break;
            }
            out.appendCodePoint(cp);
            bytes += len;
            i += Character.charCount(cp);
        }
        return out.toString();
    }
}
