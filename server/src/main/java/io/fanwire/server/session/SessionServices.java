package io.fanwire.server.session;

import java.time.Clock;
import java.util.Objects;

import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.jwt.JwtVerifier;
import io.fanwire.common.protocol.Features;
import io.fanwire.server.ServerConfig;
import io.fanwire.server.drain.EventSink;
import io.fanwire.server.metrics.ServerStats;
import io.fanwire.server.pubsub.PubSub;

/**
 * The server-wide parts every connection's handlers use, created once per server.
 *
 * @param config the server's configuration
 * @param codec the frame codec (thread-safe, shared)
 * @param registry every open connection
 * @param heartbeat pings and idle timeouts
 * @param sink where inbound events go
 * @param stats the server's counters
 * @param serverVersion reported in {@code server_hello}
 * @param features what the server offers in {@code server_ready} and negotiates in {@code server_hello}
 * @param pubsub the publish/subscribe engine
 * @param verifier checks the tokens of {@code refresh}, or {@code null} when authentication is disabled
 * @param echoFrames conformance runs only (Autobahn|Testsuite): text and binary messages go back to their
 *        sender as they came, and neither {@code server_ready} nor messages reach anyone else
 * @param clock the wall clock token expiry is measured with: the verifier's, so both agree on what is expired
 */
public record SessionServices(ServerConfig config, FrameCodec codec, SessionRegistry registry, Heartbeat heartbeat,
                              EventSink sink, ServerStats stats, String serverVersion, Features features,
                              PubSub pubsub, JwtVerifier verifier, boolean echoFrames, Clock clock) {

    public SessionServices {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(stats, "stats");
        Objects.requireNonNull(serverVersion, "serverVersion");
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(pubsub, "pubsub");
        Objects.requireNonNull(clock, "clock");
        if (config.auth().required() && verifier == null) {
            throw new IllegalArgumentException("verifier: null (expected: a verifier when authentication is required)");
        }
    }

    /** The services of a server speaking the Fanwire protocol (no frame echo), with {@code clock}. */
    public SessionServices(ServerConfig config, FrameCodec codec, SessionRegistry registry, Heartbeat heartbeat,
                           EventSink sink, ServerStats stats, String serverVersion, Features features, PubSub pubsub,
                           JwtVerifier verifier, Clock clock) {
        this(config, codec, registry, heartbeat, sink, stats, serverVersion, features, pubsub, verifier, false, clock);
    }

    /** Without a verifier: for configurations with authentication disabled, where there is nothing to refresh. */
    public SessionServices(ServerConfig config, FrameCodec codec, SessionRegistry registry, Heartbeat heartbeat,
                           EventSink sink, ServerStats stats, String serverVersion, Features features, PubSub pubsub) {
        this(config, codec, registry, heartbeat, sink, stats, serverVersion, features, pubsub, null, false,
                Clock.systemUTC());
    }

    /** The services of a server speaking the Fanwire protocol (no frame echo). */
    public SessionServices(ServerConfig config, FrameCodec codec, SessionRegistry registry, Heartbeat heartbeat,
                           EventSink sink, ServerStats stats, String serverVersion, Features features, PubSub pubsub,
                           JwtVerifier verifier) {
        this(config, codec, registry, heartbeat, sink, stats, serverVersion, features, pubsub, verifier, false,
                Clock.systemUTC());
    }
}
