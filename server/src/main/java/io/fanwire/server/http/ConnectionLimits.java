package io.fanwire.server.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.fanwire.server.ServerConfig.LimitsConfig;
import io.netty.channel.Channel;

/**
 * Admission of WebSocket upgrades: the server's connection cap, connections per client address and the upgrade
 * rate per client address (a token bucket of {@code handshakesPerIpPerSecond}, with as large a burst). An admitted
 * connection holds its place until its channel closes. Thread-safe; called on event loops, never blocks (a
 * monitor per address guards a few arithmetic operations).
 *
 * <p>The state of an address stays while it holds connections, and for a second after its last attempt so that
 * connecting and closing in a loop cannot reset its bucket; idle addresses are swept at most once a second, by
 * whichever admission comes along.
 */
public final class ConnectionLimits {

    /** The answer to an upgrade request. */
    public enum Verdict {
        /** Within every limit; the connection now counts. */
        ADMITTED,
        /** The server holds {@code maxConnections}: 503. */
        SERVER_FULL,
        /** The address holds {@code maxConnectionsPerIp}: 429. */
        IP_CONNECTIONS,
        /** The address is over its upgrade rate: 429. */
        IP_RATE
    }

    /** No limits: everything is admitted and nothing is tracked. */
    public static final ConnectionLimits NONE = new ConnectionLimits(LimitsConfig.DEFAULT, System::nanoTime);

    private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final int maxConnections;
    private final int maxPerIp;
    private final int ratePerSecond;
    private final LongSupplier nanoClock;
    private final AtomicInteger connections = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, PerAddress> addresses = new ConcurrentHashMap<>();
    private final AtomicLong lastSweepNanos;

    public ConnectionLimits(LimitsConfig config, LongSupplier nanoClock) {
        this.maxConnections = config.maxConnections();
        this.maxPerIp = config.maxConnectionsPerIp();
        this.ratePerSecond = config.handshakesPerIpPerSecond();
        this.nanoClock = nanoClock;
        this.lastSweepNanos = new AtomicLong(nanoClock.getAsLong());
    }

    /** The state of one client address. Guarded by itself. */
    private static final class PerAddress {
        int connections;
        double tokens;
        long refilledNanos;

        PerAddress(double tokens, long now) {
            this.tokens = tokens;
            this.refilledNanos = now;
        }
    }

    /**
     * Decides whether {@code channel} may upgrade. When admitted, the connection counts against the limits until
     * {@code channel} closes.
     */
    public Verdict tryAdmit(Channel channel) {
        boolean capped = maxConnections > 0;
        boolean perAddress = maxPerIp > 0 || ratePerSecond > 0;
        if (!capped && !perAddress) {
            return Verdict.ADMITTED;
        }
        if (capped && !acquireGlobal()) {
            return Verdict.SERVER_FULL;
        }
        InetAddress address = perAddress ? address(channel) : null;
        if (address != null) {
            Verdict verdict = admitAddress(address);
            if (verdict != Verdict.ADMITTED) {
                if (capped) {
                    connections.decrementAndGet();
                }
                return verdict;
            }
        }
        channel.closeFuture().addListener(ignored -> release(capped, address));
        return Verdict.ADMITTED;
    }

    /** Connections admitted and not yet closed (counted only while a server cap is set). */
    public int connections() {
        return connections.get();
    }

    /** Client addresses with state now (tests). */
    int trackedAddresses() {
        return addresses.size();
    }

    private boolean acquireGlobal() {
        while (true) {
            int now = connections.get();
            if (now >= maxConnections) {
                return false;
            }
            if (connections.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    private Verdict admitAddress(InetAddress address) {
        long now = nanoClock.getAsLong();
        sweepIfDue(now);
        while (true) {
            PerAddress state = addresses.computeIfAbsent(address, a -> new PerAddress(ratePerSecond, now));
            synchronized (state) {
                if (addresses.get(address) != state) {
                    // Swept between the lookup and the monitor: take the address's current state.
                    continue;
                }
                if (ratePerSecond > 0) {
                    double refill = Math.max(0, now - state.refilledNanos) * (double) ratePerSecond / SECOND_NANOS;
                    state.tokens = Math.min(ratePerSecond, state.tokens + refill);
                    state.refilledNanos = Math.max(now, state.refilledNanos);
                    if (state.tokens < 1) {
                        return Verdict.IP_RATE;
                    }
                }
                if (maxPerIp > 0 && state.connections >= maxPerIp) {
                    return Verdict.IP_CONNECTIONS;
                }
                if (ratePerSecond > 0) {
                    state.tokens -= 1;
                }
                state.connections++;
                return Verdict.ADMITTED;
            }
        }
    }

    private void release(boolean capped, InetAddress address) {
        if (capped) {
            connections.decrementAndGet();
        }
        if (address != null) {
            PerAddress state = addresses.get(address);
            if (state != null) {
                synchronized (state) {
                    state.connections--;
                }
            }
        }
    }

    /** Forgets addresses without connections whose bucket is full again: at most once a second, on some caller. */
    private void sweepIfDue(long now) {
        long last = lastSweepNanos.get();
        if (now - last < SECOND_NANOS || !lastSweepNanos.compareAndSet(last, now)) {
            return;
        }
        for (Iterator<Map.Entry<InetAddress, PerAddress>> it = addresses.entrySet().iterator(); it.hasNext(); ) {
            PerAddress state = it.next().getValue();
            synchronized (state) {
                if (state.connections <= 0 && now - state.refilledNanos >= SECOND_NANOS) {
                    it.remove();
                }
            }
        }
    }

    private static InetAddress address(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
