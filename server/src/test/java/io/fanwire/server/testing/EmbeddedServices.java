package io.fanwire.server.testing;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.jwt.JwtVerifier;
import io.fanwire.common.protocol.Features;
import io.fanwire.server.ServerConfig;
import io.fanwire.server.auth.Authenticator;
import io.fanwire.server.drain.DrainQueue;
import io.fanwire.server.drain.InboundEvent;
import io.fanwire.server.http.HttpServices;
import io.fanwire.server.metrics.ServerStats;
import io.fanwire.server.session.Heartbeat;
import io.fanwire.server.session.SessionRegistry;
import io.fanwire.server.session.SessionServices;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * The server-wide parts a {@code FanwireServer} wires together, real ones, built over one
 * {@link EmbeddedChannel}'s event loop so that handler tests run the production objects without sockets.
 * The heartbeat is not started; a test that wants sweeps starts it and moves the channel's clock.
 *
 * @param config the configuration
 * @param stats the counters the handlers move
 * @param registry the open connections
 * @param queue the drain-mode sink the handlers hand events to
 * @param heartbeat pings and idle timeouts, over the channel's event loop
 * @param sessions what the post-upgrade handlers use
 */
public record EmbeddedServices(ServerConfig config, ServerStats stats, SessionRegistry registry, DrainQueue queue,
                               Heartbeat heartbeat, SessionServices sessions) {

    /** The server version the handlers report. */
    public static final String SERVER_VERSION = "test";

    /** The services of a server configured by {@code config}, for connections on {@code channel}. */
    public static EmbeddedServices over(EmbeddedChannel channel, ServerConfig config) {
        return over(channel, config, config.auth().required()
                ? new JwtVerifier(config.auth().jwt(), Clock.systemUTC()) : null);
    }

    /** The services of a server configured by {@code config} whose tokens {@code verifier} checks. */
    public static EmbeddedServices over(EmbeddedChannel channel, ServerConfig config, JwtVerifier verifier) {
        ServerStats stats = new ServerStats();
        SessionRegistry registry = new SessionRegistry();
        DrainQueue queue = new DrainQueue(config.drain(), stats);
        Heartbeat heartbeat = new Heartbeat(channel.eventLoop(), config.pingInterval(), config.idleTimeout(),
                new Heartbeat.Lifetime(config.limits().maxLifetime(), config.limits().lifetimeJitter(),
                        config.shutdown().retryAfter(), config.shutdown().retryJitter(), stats.lifetimeCloses));
        // What FanwireServer offers: compression when a threshold is set, msgpack always.
        Features features = new Features(config.compressionThreshold() > 0, true, false, false);
        FrameCodec codec = new FrameCodec(config.decodeLimits());
        io.fanwire.server.ServerConfig.PubSubConfig ps = config.pubsub();
        io.fanwire.server.broker.InMemoryBroker broker = new io.fanwire.server.broker.InMemoryBroker(
                new io.fanwire.server.broker.InMemoryBroker.Config(ps.historySize(), ps.historyTtl(),
                        ps.historyMemoryBytes()), codec.json());
        io.fanwire.server.pubsub.PubSub pubsub = new io.fanwire.server.pubsub.PubSub(ps, broker, codec,
                config.jsonFrames(), stats, channel.eventLoop());
        broker.start(pubsub);
        SessionServices sessions = new SessionServices(config, codec, registry,
                heartbeat, queue, stats, SERVER_VERSION, features, pubsub, verifier);
        return new EmbeddedServices(config, stats, registry, queue, heartbeat, sessions);
    }

    /** The HTTP services: a real authenticator (JWT verification with the config's key) and JSON mapper. */
    public HttpServices http(BooleanSupplier ready, BooleanSupplier accepting, Supplier<Map<String, Object>> info) {
        return new HttpServices(sessions, new Authenticator(config.auth(), sessions.verifier()), new ObjectMapper(), ready,
                accepting, new io.fanwire.server.http.ApiRoutes(io.fanwire.server.http.ServerApi.infoOnly(info), config, stats));
    }

    /** The HTTP services with {@code /metrics} rendered by {@code metrics} and readiness under {@code heapBudget}. */
    public HttpServices http(BooleanSupplier ready, BooleanSupplier accepting, Supplier<Map<String, Object>> info,
                             io.fanwire.server.metrics.MetricsExposition metrics,
                             io.fanwire.server.metrics.HeapBudget heapBudget) {
        HttpServices plain = http(ready, accepting, info);
        return new HttpServices(plain.sessions(), plain.authenticator(), plain.mapper(), ready, accepting, plain.api(),
                metrics, heapBudget);
    }

    /** Every event handed to the application so far, taken from the queue. */
    public List<InboundEvent> drain() {
        try {
            return queue.drain(1024, Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
