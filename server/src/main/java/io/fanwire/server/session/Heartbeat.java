package io.fanwire.server.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.common.protocol.ServerMessage.ServerPing;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Ticker;

/**
 * Server pings, idle timeouts and token expiry (docs/PROTOCOL.md §4.8) for every connection, driven by one
 * periodic task per event loop that walks that loop's connections, instead of a scheduled task (or an idle-state
 * handler timer) per connection. Time is read from the event loop's {@link Ticker}, the clock its scheduled tasks
 * run on ({@link System#nanoTime()} on a real loop), so that a test can drive both with an embedded channel.
 *
 * <p>The same sweep ends connections that reached their maximum {@link Lifetime} (off by default): they are
 * closed with 4300 and a retry hint, like a drain, so that long-lived clients spread over the nodes there are now.
 */
public final class Heartbeat {

    private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_TICK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Map<EventExecutor, LoopSessions> loops = new IdentityHashMap<>();
    private final long pingIntervalNanos;
    private final long idleTimeoutNanos;
    private final long tickNanos;
    private final List<Future<?>> tasks = new ArrayList<>();
    private final Lifetime lifetime;

    /**
     * The maximum age of connections: each gets {@code max} plus or minus a random share of {@code jitter}, and is
     * then closed with 4300 and a {@link RetryHint} of {@code retryAfter} plus up to {@code retryJitter}, counted in
     * {@code closed}.
     *
     * @param max the lifetime; {@link Duration#ZERO} for none
     * @param jitter the most a connection's lifetime differs from {@code max}, either way
     * @param retryAfter the least retry delay told to the client
     * @param retryJitter the most added to {@code retryAfter}
     * @param closed counts the connections closed for their age
     */
    public record Lifetime(Duration max, Duration jitter, Duration retryAfter, Duration retryJitter,
                           LongAdder closed) {

        /** No maximum lifetime. */
        public static final Lifetime NONE = new Lifetime(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO,
                new LongAdder());

        public Lifetime {
            Objects.requireNonNull(max, "max");
            Objects.requireNonNull(jitter, "jitter");
            Objects.requireNonNull(retryAfter, "retryAfter");
            Objects.requireNonNull(retryJitter, "retryJitter");
            Objects.requireNonNull(closed, "closed");
        }

        boolean enabled() {
            return !max.isZero();
        }

        /** A connection's lifetime in nanoseconds: {@code max} give or take up to {@code jitter}. */
        long drawNanos() {
            long j = jitter.toNanos();
            return max.toNanos() + (j > 0 ? ThreadLocalRandom.current().nextLong(-j, j + 1) : 0);
        }
    }

    public Heartbeat(EventLoopGroup group, Duration pingInterval, Duration idleTimeout) {
        this(group, pingInterval, idleTimeout, Lifetime.NONE);
    }

    /** Pings, idle timeouts and, unless {@link Lifetime#NONE}, the maximum connection lifetime. */
    public Heartbeat(EventLoopGroup group, Duration pingInterval, Duration idleTimeout, Lifetime lifetime) {
        this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
        this.pingIntervalNanos = pingInterval.toNanos();
        this.idleTimeoutNanos = idleTimeout.toNanos();
        // Fine enough that pings and timeouts are late by a small fraction of their period.
        this.tickNanos = Math.max(MIN_TICK_NANOS, Math.min(MAX_TICK_NANOS,
                Math.min(pingIntervalNanos, idleTimeoutNanos) / 8));
        for (EventExecutor loop : group) {
            loops.put(loop, new LoopSessions(loop.ticker()));
        }
    }

    /** Starts the periodic task on every loop. */
    public void start() {
        for (Map.Entry<EventExecutor, LoopSessions> e : loops.entrySet()) {
            LoopSessions sessions = e.getValue();
            tasks.add(e.getKey().scheduleAtFixedRate(sessions::sweep, tickNanos, tickNanos, TimeUnit.NANOSECONDS));
        }
    }

    /** Stops the periodic tasks. */
    public void stop() {
        for (Future<?> task : tasks) {
            task.cancel(false);
        }
        tasks.clear();
    }

    /** Starts the heartbeat of {@code session}. Called on its event loop. */
    void register(Session session) {
        LoopSessions sessions = loopOf(session);
        long now = sessions.ticker.nanoTime();
        session.lastActivityNanos = now;
        session.nextPingNanos = now + pingIntervalNanos;
        if (lifetime.enabled()) {
            session.lifetimeEndNanos = now + lifetime.drawNanos();
        }
        sessions.add(session);
    }

    /** Ends the heartbeat of {@code session}. Called on its event loop. */
    void unregister(Session session) {
        loopOf(session).remove(session);
    }

    private LoopSessions loopOf(Session session) {
        LoopSessions sessions = loops.get(session.channel().eventLoop());
        if (sessions == null) {
            throw new IllegalStateException("channel of " + session + " is not on this server's event loops");
        }
        return sessions;
    }

    /** The connections of one event loop; touched only on that loop. */
    private final class LoopSessions {
        private final Ticker ticker;
        private Session[] sessions = new Session[64];
        private int size;

        LoopSessions(Ticker ticker) {
            this.ticker = ticker;
        }

        void add(Session session) {
            if (size == sessions.length) {
                sessions = java.util.Arrays.copyOf(sessions, size * 2);
            }
            session.loopIndex = size;
            sessions[size++] = session;
        }

        void remove(Session session) {
            int i = session.loopIndex;
            if (i < 0 || i >= size || sessions[i] != session) {
                return;
            }
            Session last = sessions[--size];
            sessions[i] = last;
            last.loopIndex = i;
            sessions[size] = null;
            session.loopIndex = -1;
        }

        void sweep() {
            long now = ticker.nanoTime();
            long wallMillis = System.currentTimeMillis();
            // Backwards, so that a removal (swap with the last) never skips a session.
            for (int i = size - 1; i >= 0; i--) {
                Session s = sessions[i];
                if (s == null || s.closing || s.checkToken(now)) {
                    continue;
                }
                if (lifetime.enabled() && now - s.lifetimeEndNanos >= 0) {
                    lifetime.closed().increment();
                    s.close(CloseCodes.DRAINING, RetryHint.closeReason(RetryHint.MAX_LIFETIME,
                            RetryHint.retryAfterMillis(lifetime.retryAfter(), lifetime.retryJitter())));
                    continue;
                }
                if (s.pausedByApplication()) {
                    // Nothing is read from it while the application is behind: its silence proves nothing.
                    s.lastActivityNanos = now;
                } else if (now - s.lastActivityNanos > idleTimeoutNanos) {
                    s.close(CloseCodes.NORMAL, "idle");
                } else if (now - s.nextPingNanos >= 0) {
                    s.nextPingNanos = now + pingIntervalNanos;
                    s.send(new ServerPing(wallMillis));
                }
            }
        }
    }
}
