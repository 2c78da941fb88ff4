package io.fanwire.server.broker;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fanwire.common.codec.JsonEnvelopeCodec;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.StreamPosition;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;

/**
 * The broker of a cluster: nodes joined by one Redis. Redis is the one place that stamps publications, so
 * a client recovers the same {@code (epoch, offset)} from any node.
 *
 * <p><b>Publishing.</b> One Lua script, atomic in Redis, takes the topic's epoch (creating it when the stream
 * is new or was lost, say by a Redis restart without persistence), increments its offset, appends the stamped
 * JSON to a Redis Stream whose entry id is the offset (trimmed to {@code history.size} entries and expiring
 * {@code history.ttl} after the last publication), and {@code PUBLISH}es it on the topic's channel. Since the
 * script runs atomically, channel order is offset order on every node. Nothing here waits: the publish stage
 * completes when Redis answers; at most {@link Config#maxPendingPublishes} wait for an answer, more are
 * refused at once (counted), and an answer later than {@link Config#commandTimeout} fails the stage.
 *
 * <p><b>Receiving.</b> A node subscribes to a topic's channel on its first local subscriber and unsubscribes
 * on its last: plain (not sharded) Pub/Sub, which one Redis or a Sentinel setup serves; sharded channels would
 * only pay off with Redis Cluster, which needs the stream keys spread by slot as well (they carry a hash tag
 * already). History for a new subscription is read only after the channel subscription is confirmed, so no
 * publication falls between the two.
 *
 * <p><b>Faults.</b> Lettuce reconnects with a backoff; afterwards every topic is subscribed again. While the
 * command connection is down, publications are stamped here under an epoch of this node's own and delivered
 * to local subscribers only (counted as local-only: the other nodes never see them); the change of epoch, and
 * the change back once Redis answers, tells clients that they may have missed something. Publications this
 * node missed while its subscription connection was down show up as a jump in offsets and are counted.
 */
public final class RedisBroker implements Broker {

    private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);

    /** KEYS: epoch, offset, stream. ARGV: new epoch, topic as JSON string, unstamped JSON after its '{',
     *  history size, history TTL ms, stream TTL ms, channel. Returns {epoch, offset}. */
    static final String PUBLISH_SCRIPT = """
            local epoch = redis.call('GET', KEYS[1])
            if (not epoch) or redis.call('EXISTS', KEYS[2]) == 0 then
              epoch = ARGV[1]
              redis.call('SET', KEYS[1], epoch)
              redis.call('DEL', KEYS[2], KEYS[3])
            end
            local offset = redis.call('INCR', KEYS[2])
            local json = '{"tp":' .. ARGV[2] .. ',"e":"' .. epoch .. '","o":' .. offset .. ',' .. ARGV[3]
            local size = tonumber(ARGV[4])
            if size > 0 then
              local t = redis.call('TIME')
              local ms = t[1] * 1000 + math.floor(t[2] / 1000)
              redis.call('XADD', KEYS[3], 'MAXLEN', size, offset .. '-1', 'j', json, 't', ms)
              redis.call('PEXPIRE', KEYS[3], ARGV[5])
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[6])
            redis.call('PEXPIRE', KEYS[2], ARGV[6])
            redis.call('PUBLISH', ARGV[7], epoch .. ' ' .. offset .. ' ' .. json)
            return {epoch, offset}
            """;

    /** KEYS: epoch, offset, stream. ARGV: first entry id, count. Returns {epoch or '', offset, now ms, entries}. */
    static final String HISTORY_SCRIPT = """
            local epoch = redis.call('GET', KEYS[1])
            local t = redis.call('TIME')
            local now = t[1] * 1000 + math.floor(t[2] / 1000)
            if not epoch then
              return {'', 0, now, {}}
            end
            local offset = tonumber(redis.call('GET', KEYS[2]) or '0')
            local entries = {}
            if tonumber(ARGV[2]) > 0 then
              entries = redis.call('XRANGE', KEYS[3], ARGV[1], '+', 'COUNT', ARGV[2])
            end
            return {epoch, offset, now, entries}
            """;


    /** KEYS: users' data hash, the user's per-node counts, this node's topics, the node registry. ARGV: user, node,
     *  connections, data JSON, max members, topic, channel. Returns {1}, or {0} when the topic is full. */
    static final String PRESENCE_REPORT_SCRIPT = """
            local user, node, count = ARGV[1], ARGV[2], tonumber(ARGV[3])
            local existed = redis.call('HEXISTS', KEYS[1], user) == 1
            if count > 0 then
              if (not existed) and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[5]) then
                return {0}
              end
              redis.call('HSET', KEYS[2], node, count)
              redis.call('SADD', KEYS[3], ARGV[6])
              redis.call('SADD', KEYS[4], node)
              local old = redis.call('HGET', KEYS[1], user)
              redis.call('HSET', KEYS[1], user, ARGV[4])
              if not existed then
                redis.call('PUBLISH', ARGV[7], 'P presence_join ' .. #user .. ' ' .. user .. ARGV[4])
              elseif old ~= ARGV[4] then
                redis.call('PUBLISH', ARGV[7], 'P presence_update ' .. #user .. ' ' .. user .. ARGV[4])
              end
            else
              redis.call('HDEL', KEYS[2], node)
              if existed and redis.call('EXISTS', KEYS[2]) == 0 then
                redis.call('HDEL', KEYS[1], user)
                redis.call('PUBLISH', ARGV[7], 'P presence_leave ' .. #user .. ' ' .. user)
              end
            end
            return {1}
            """;

    /** KEYS: users' data hash. ARGV: prefix of the per-user count hashes, prefix of the node liveness keys.
     *  Returns {user, data, connections, ...} counting only nodes that are alive. */
    static final String PRESENCE_MEMBERS_SCRIPT = """
            local out, alive = {}, {}
            local all = redis.call('HGETALL', KEYS[1])
            for i = 1, #all, 2 do
              local shares = redis.call('HGETALL', ARGV[1] .. all[i])
              local n = 0
              for j = 1, #shares, 2 do
                local node = shares[j]
                if alive[node] == nil then
                  alive[node] = redis.call('EXISTS', ARGV[2] .. node) == 1
                end
                if alive[node] then
                  n = n + tonumber(shares[j + 1])
                end
              end
              if n > 0 then
                out[#out + 1] = all[i]
                out[#out + 1] = all[i + 1]
                out[#out + 1] = n
              end
            end
            return out
            """;

    /** ARGV: key prefix, channel prefix. Removes the presence of nodes whose liveness key expired, publishing
     *  a leave for each user no live node holds any more. Returns {entries removed}. */
    static final String PRESENCE_SWEEP_SCRIPT = """
            local swept = 0
            for _, node in ipairs(redis.call('SMEMBERS', ARGV[1] .. 'nodes')) do
              if redis.call('EXISTS', ARGV[1] .. 'node:' .. node) == 0 then
                for _, topic in ipairs(redis.call('SMEMBERS', ARGV[1] .. 'node:' .. node .. ':t')) do
                  local base = ARGV[1] .. '{' .. topic .. '}:'
                  for _, user in ipairs(redis.call('HKEYS', base .. 'pd')) do
                    local shares = base .. 'pu:' .. user
                    if redis.call('HDEL', shares, node) == 1 then
                      swept = swept + 1
                      if redis.call('EXISTS', shares) == 0 then
                        redis.call('HDEL', base .. 'pd', user)
                        redis.call('PUBLISH', ARGV[2] .. topic, 'P presence_leave ' .. #user .. ' ' .. user)
                      end
                    end
                  end
                end
                redis.call('DEL', ARGV[1] .. 'node:' .. node .. ':t')
                redis.call('SREM', ARGV[1] .. 'nodes', node)
              end
            end
            return {swept}
            """;

    /** How long a node's presence outlives its last heartbeat; it beats three times in that span. */
    static final Duration PRESENCE_NODE_TTL = Duration.ofSeconds(6);
    /** How often each node removes the presence of nodes whose liveness key expired. */
    static final Duration PRESENCE_SWEEP_INTERVAL = Duration.ofSeconds(3);

    /**
     * How to reach Redis and how much may wait for it.
     *
     * @param uri a Redis URI: {@code redis://[:password@]host:port[/db]}, {@code rediss://} for TLS,
     *        {@code redis-sentinel://}; see Lettuce's {@code RedisURI}
     * @param keyPrefix prefix of every key and channel, so several clusters can share one Redis
     * @param maxPendingPublishes publications that may wait for Redis's answer; more are refused at once
     * @param commandTimeout how long a command may wait for Redis before it fails
     * @param streamTtl how long a quiet topic keeps its epoch and offset in Redis
     */
    public record Config(String uri, String keyPrefix, int maxPendingPublishes, Duration commandTimeout,
                         Duration streamTtl) {

        public static final String DEFAULT_KEY_PREFIX = "fanwire:";
        public static final int DEFAULT_MAX_PENDING_PUBLISHES = 10_000;
        public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
        public static final Duration DEFAULT_STREAM_TTL = Duration.ofHours(24);

        public Config {
            Objects.requireNonNull(uri, "uri");
            try {
                RedisURI.create(uri);
            } catch (IllegalArgumentException e) {
                // Lettuce's message may quote the URI, password and all: only the redacted form is shown.
                throw new IllegalArgumentException("uri: " + redact(uri) + " (expected: redis://[:password@]host:port, "
                        + "rediss://... for TLS, redis-sentinel://... for Sentinel)");
            }
            Objects.requireNonNull(keyPrefix, "keyPrefix");
            if (maxPendingPublishes <= 0) {
                throw new IllegalArgumentException("maxPendingPublishes: " + maxPendingPublishes + " (expected: > 0)");
            }
            positive("commandTimeout", commandTimeout);
            positive("streamTtl", streamTtl);
        }

        /** Defaults for everything but the URI. */
        public static Config of(String uri) {
            return new Config(uri, DEFAULT_KEY_PREFIX, DEFAULT_MAX_PENDING_PUBLISHES, DEFAULT_COMMAND_TIMEOUT,
                    DEFAULT_STREAM_TTL);
        }

        private static void positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
        }

        @Override
        public String toString() {
            return "Config[uri=" + redact(uri) + ", keyPrefix=" + keyPrefix + ", maxPendingPublishes="
                    + maxPendingPublishes + ", commandTimeout=" + commandTimeout + ", streamTtl=" + streamTtl + "]";
        }

        /** The URI without its password, for messages and logs. */
        static String redact(String uri) {
            return uri.replaceAll("//[^@/]*@", "//***@");
        }
    }

    /** How long a queue group claim is kept: every node with members asks within moments of the publication. */
    static final Duration CLAIM_TTL = Duration.ofMinutes(1);
    private static final io.lettuce.core.SetArgs CLAIM_ARGS = io.lettuce.core.SetArgs.Builder.nx().px(CLAIM_TTL.toMillis());

    private final Config config;
    private final byte[] nodeId = bytes(java.util.UUID.randomUUID().toString());
    private final int historySize;
    private final Duration historyTtl;
    private final JsonEnvelopeCodec json;
    private final byte[] channelPrefix;
    private final ConcurrentHashMap<String, CompletableFuture<Void>> subscribed = new ConcurrentHashMap<>();
    /** Per topic, the last position received from Redis; for counting what this node missed. */
    private final ConcurrentHashMap<String, StreamPosition> lastReceived = new ConcurrentHashMap<>();
    /** Streams stamped here while Redis is unreachable; dropped once it answers again. */
    private final ConcurrentHashMap<String, LocalStream> localStreams = new ConcurrentHashMap<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final LongAdder overflows = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder localOnly = new LongAdder();
    private final LongAdder missed = new LongAdder();
    private final LongAdder resets = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final LongAdder resubscriptions = new LongAdder();

    private ClientResources resources;
    private RedisClient client;
    private StatefulRedisConnection<byte[], byte[]> commands;
    private StatefulRedisPubSubConnection<byte[], byte[]> pubsub;
    private volatile String publishSha;
    private volatile String historySha;
    private volatile String presenceReportSha;
    private volatile String presenceMembersSha;
    private volatile String presenceSweepSha;
    private volatile SharedPresence.Listener presenceListener;
    private final RedisPresence presence = new RedisPresence();
    private final LongAdder presenceSwept = new LongAdder();
    /** Whether this node's liveness key was set once: a later beat that finds it gone reports presence again. */
    private final java.util.concurrent.atomic.AtomicBoolean beaten = new java.util.concurrent.atomic.AtomicBoolean();
    private java.util.concurrent.ScheduledFuture<?> heartbeat;
    private java.util.concurrent.ScheduledFuture<?> sweeper;
    private volatile PublicationListener listener;
    private volatile boolean closed;

    /**
     * @param historySize publications kept per topic in Redis for recovery (0: none)
     * @param historyTtl how long a publication is kept
     */
    public RedisBroker(Config config, int historySize, Duration historyTtl, JsonEnvelopeCodec json) {
        this.config = Objects.requireNonNull(config, "config");
        if (historySize < 0) {
            throw new IllegalArgumentException("historySize: " + historySize + " (expected: >= 0)");
        }
        this.historySize = historySize;
        this.historyTtl = Objects.requireNonNull(historyTtl, "historyTtl");
        this.json = Objects.requireNonNull(json, "json");
        this.channelPrefix = (config.keyPrefix() + "p:").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Connects to Redis (waiting at most the command timeout for it; this runs on the caller's thread, never an
     * event loop) and starts delivering.
     *
     * @throws IllegalStateException when Redis cannot be reached
     */
    @Override
    public void start(PublicationListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        RedisURI uri = RedisURI.create(config.uri());
        uri.setTimeout(config.commandTimeout());
        client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // Commands while disconnected fail at once instead of queueing without a bound.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(config.commandTimeout()))
                .build());
        try {
            commands = client.connect(ByteArrayCodec.INSTANCE);
            pubsub = client.connectPubSub(ByteArrayCodec.INSTANCE);
        } catch (RuntimeException e) {
            shutdownClient();
            throw new IllegalStateException("cannot connect to Redis at " + Config.redact(config.uri()) + ": "
                    + e.getMessage(), e);
        }
        RedisAsyncCommands<byte[], byte[]> async = commands.async();
        publishSha = async.digest(PUBLISH_SCRIPT);
        historySha = async.digest(HISTORY_SCRIPT);
        presenceReportSha = async.digest(PRESENCE_REPORT_SCRIPT);
        presenceMembersSha = async.digest(PRESENCE_MEMBERS_SCRIPT);
        presenceSweepSha = async.digest(PRESENCE_SWEEP_SCRIPT);
        beat();
        long beatMs = PRESENCE_NODE_TTL.toMillis() / 3;
        heartbeat = resources.eventExecutorGroup().scheduleAtFixedRate(this::beat, beatMs, beatMs,
                TimeUnit.MILLISECONDS);
        long sweepMs = PRESENCE_SWEEP_INTERVAL.toMillis();
        sweeper = resources.eventExecutorGroup().scheduleAtFixedRate(this::sweep, sweepMs, sweepMs,
                TimeUnit.MILLISECONDS);
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] message) {
                onMessage(channel, message);
            }
        });
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                onConnected(connection);
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (!closed) {
                    LOG.warn("Lost the connection to Redis at {}; reconnecting", Config.redact(config.uri()));
                }
            }
        });
        LOG.info("Redis broker connected to {}", Config.redact(config.uri()));
    }

    private void onConnected(RedisChannelHandler<?, ?> connection) {
        if (closed) {
            return;
        }
        reconnects.increment();
        if (connection == pubsub) {
            // Lettuce resubscribes what it knows; subscriptions refused while Redis was away it never knew.
            // SUBSCRIBE is idempotent, so every topic is subscribed again.
            for (String topic : subscribed.keySet()) {
                resubscriptions.increment();
                pubsub.async().subscribe(channel(topic));
            }
            LOG.info("Reconnected to Redis; {} topics subscribed again", subscribed.size());
        } else if (connection == commands) {
            localStreams.clear();
            beat();
            SharedPresence.Listener target = presenceListener;
            if (target != null) {
                // Redis may have restarted empty: what this node holds is reported again (idempotent).
                target.onResync();
            }
        }
    }

    // ---------------------------------------------------------------- publishing

    @Override
    public CompletionStage<StreamPosition> publish(String topic, Envelope message) {
        if (listener == null || closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("broker not started"));
        }
        if (!commands.isOpen()) {
            return CompletableFuture.completedFuture(publishLocally(topic, message));
        }
        if (pending.incrementAndGet() > config.maxPendingPublishes()) {
            pending.decrementAndGet();
            overflows.increment();
            return CompletableFuture.failedFuture(new BrokerUnavailableException("broker overloaded: "
                    + config.maxPendingPublishes() + " publications are waiting for Redis"));
        }
        byte[] unstamped = json.encodeToBytes(message);
        byte[][] keys = keys(topic);
        byte[][] args = {
                bytes(newEpoch()),
                bytes("\"" + topic + "\""),
                Arrays.copyOfRange(unstamped, 1, unstamped.length),
                bytes(Integer.toString(historySize)),
                bytes(Long.toString(historyTtl.toMillis())),
                bytes(Long.toString(config.streamTtl().toMillis())),
                channel(topic)};
        CompletableFuture<StreamPosition> result = new CompletableFuture<>();
        this.<List<Object>>script(PUBLISH_SCRIPT, publishSha, keys, args).whenComplete((reply, error) -> {
            pending.decrementAndGet();
            if (error != null && refusedWhileDisconnected(error)) {
                // Refused before it was sent (the connection dropped since the check above): Redis never saw
                // it, so it is delivered here alone, as while Redis is known to be away.
                result.complete(publishLocally(topic, message));
            } else if (error != null) {
                failures.increment();
                result.completeExceptionally(new BrokerUnavailableException("publication to Redis failed: "
                        + error.getMessage(), error));
            } else {
                result.complete(new StreamPosition(string(reply.get(0)), (Long) reply.get(1)));
            }
        });
        return result;
    }

    /** Whether Lettuce refused a command without sending it because the connection is down. */
    private static boolean refusedWhileDisconnected(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
        return cause instanceof RedisException
                && !(cause instanceof RedisCommandTimeoutException) && cause.getMessage() != null && cause.getMessage().startsWith("Currently not connected");
    }

    /** Stamps and delivers a publication on this node only, while Redis cannot be reached. */
    private StreamPosition publishLocally(String topic, Envelope message) {
        LocalStream stream = localStreams.computeIfAbsent(topic, t -> new LocalStream(newEpoch()));
        synchronized (stream) {
            long offset = ++stream.offset;
            Envelope stamped = message.withStamp(topic, stream.epoch, offset);
            localOnly.increment();
            listener.onPublication(new Publication(topic, stream.epoch, offset, json.encodeToBytes(stamped), stamped));
            return new StreamPosition(stream.epoch, offset);
        }
    }

    private static final class LocalStream {
        final String epoch;
        long offset;

        LocalStream(String epoch) {
            this.epoch = epoch;
        }
    }

    /**
     * A publication from Redis: {@code "<epoch> <offset> <json>"} on the topic's channel, or a presence event
     * {@code "P <type> <user bytes> <user><data>"}. Runs on Lettuce's loop.
     */
    private void onMessage(byte[] channel, byte[] message) {
        String topic = new String(channel, channelPrefix.length, channel.length - channelPrefix.length,
                StandardCharsets.UTF_8);
        if (message.length > 2 && message[0] == 'P' && message[1] == ' ') {
            onPresenceMessage(topic, message);
            return;
        }
        int first = indexOf(message, 0);
        int second = first < 0 ? -1 : indexOf(message, first + 1);
        if (second < 0) {
            LOG.warn("Ignored a malformed message on {}", topic);
            return;
        }
        String epoch = new String(message, 0, first, StandardCharsets.US_ASCII);
        long offset = Long.parseLong(new String(message, first + 1, second - first - 1, StandardCharsets.US_ASCII));
        byte[] stamped = Arrays.copyOfRange(message, second + 1, message.length);
        StreamPosition previous = lastReceived.put(topic, new StreamPosition(epoch, offset));
        if (previous != null) {
            if (!previous.epoch().equals(epoch)) {
                resets.increment();
            } else if (offset > previous.offset() + 1) {
                missed.add(offset - previous.offset() - 1);
            }
        }
        PublicationListener target = listener;
        if (target != null && !closed) {
            target.onPublication(new Publication(topic, epoch, offset, stamped, null));
        }
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == ' ') {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- interest and history

    @Override
    public void interest(String topic, boolean interested) {
        if (closed) {
            return;
        }
        if (interested) {
            CompletableFuture<Void> ready = new CompletableFuture<>();
            subscribed.put(topic, ready);
            try {
                pubsub.async().subscribe(channel(topic)).whenComplete((ignored, error) -> {
                    if (error != null) {
                        LOG.warn("Subscribing to {} in Redis failed (retried on reconnect): {}", topic, error.toString());
                        ready.completeExceptionally(error);
                    } else {
                        ready.complete(null);
                    }
                });
            } catch (RuntimeException e) {
                ready.completeExceptionally(e);
            }
        } else {
            subscribed.remove(topic);
            lastReceived.remove(topic);
            try {
                pubsub.async().unsubscribe(channel(topic));
            } catch (RuntimeException e) {
                LOG.debug("Unsubscribing from {} failed: {}", topic, e.toString());
            }
        }
    }

    @Override
    public CompletionStage<HistoryPage> history(String topic, StreamPosition since, int limit) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("broker closed"));
        }
        // After the channel subscription is confirmed: whatever is published later arrives live, and the page
        // read now holds everything before. The subscriber skips what it gets twice.
        CompletableFuture<Void> ready = subscribed.get(topic);
        CompletionStage<Void> after = ready == null ? CompletableFuture.completedFuture(null)
                : ready.handle((ignored, error) -> null);
        return after.thenCompose(ignored -> readHistory(topic, since, limit));
    }

    private CompletionStage<HistoryPage> readHistory(String topic, StreamPosition since, int limit) {
        int count = since == null ? 0 : limit;
        byte[][] args = {bytes((since == null ? 1 : since.offset() + 1) + "-0"), bytes(Integer.toString(count))};
        return this.<List<Object>>script(HISTORY_SCRIPT, historySha, keys(topic), args)
                .thenApply(reply -> page(topic, reply, since, limit));
    }

    @SuppressWarnings("unchecked")
    private HistoryPage page(String topic, List<Object> reply, StreamPosition since, int limit) {
        String epoch = string(reply.get(0));
        long offset = (Long) reply.get(1);
        long now = (Long) reply.get(2);
        List<Object> entries = (List<Object>) reply.get(3);
        StreamPosition current = new StreamPosition(epoch, offset);
        if (since == null) {
            return new HistoryPage(current, List.of(), true);
        }
        if (epoch.isEmpty() || !since.epoch().equals(epoch) || since.offset() > offset) {
            return new HistoryPage(current, List.of(), false);
        }
        long missedHere = offset - since.offset();
        if (missedHere == 0) {
            return new HistoryPage(current, List.of(), true);
        }
        long oldest = now - historyTtl.toMillis();
        List<Publication> out = new ArrayList<>(entries.size());
        for (Object e : entries) {
            List<Object> entry = (List<Object>) e;
            String id = string(entry.get(0));
            long entryOffset = Long.parseLong(id.substring(0, id.indexOf('-')));
            List<Object> fields = (List<Object>) entry.get(1);
            byte[] stamped = null;
            long at = 0;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                String field = string(fields.get(i));
                if (field.equals("j")) {
                    stamped = (byte[]) fields.get(i + 1);
                } else if (field.equals("t")) {
                    at = Long.parseLong(string(fields.get(i + 1)));
                }
            }
            if (stamped == null || at < oldest) {
                continue;
            }
            if (out.isEmpty() && entryOffset != since.offset() + 1) {
                // Trimmed by length or age: the page would not start where the client stopped.
                return new HistoryPage(current, List.of(), false);
            }
            if (out.size() == limit) {
                break;
            }
            out.add(new Publication(topic, epoch, entryOffset, stamped, null));
        }
        return new HistoryPage(current, out, out.size() == missedHere);
    }

    // ---------------------------------------------------------------- presence

    @Override
    public SharedPresence sharedPresence() {
        return presence;
    }

    private void onPresenceMessage(String topic, byte[] message) {
        int typeEnd = indexOf(message, 2);
        int lengthEnd = typeEnd < 0 ? -1 : indexOf(message, typeEnd + 1);
        SharedPresence.Listener target = presenceListener;
        if (lengthEnd < 0 || target == null || closed) {
            return;
        }
        String type = new String(message, 2, typeEnd - 2, StandardCharsets.US_ASCII);
        int userBytes = Integer.parseInt(new String(message, typeEnd + 1, lengthEnd - typeEnd - 1,
                StandardCharsets.US_ASCII));
        int userStart = lengthEnd + 1;
        if (userStart + userBytes > message.length) {
            LOG.warn("Ignored a malformed presence event on {}", topic);
            return;
        }
        String user = new String(message, userStart, userBytes, StandardCharsets.UTF_8);
        int dataStart = userStart + userBytes;
        String data = dataStart < message.length
                ? new String(message, dataStart, message.length - dataStart, StandardCharsets.UTF_8) : null;
        target.onPresence(topic, type, user, data);
    }

    /** Keeps this node's liveness key (and its entry in the node registry); off the event loops. */
    private void beat() {
        if (closed || commands == null || !commands.isOpen()) {
            return;
        }
        try {
            RedisAsyncCommands<byte[], byte[]> async = commands.async();
            async.setGet(livenessKey(), bytes("1"), io.lettuce.core.SetArgs.Builder.px(PRESENCE_NODE_TTL.toMillis()))
                    .whenComplete((previous, error) -> {
                        if (error != null || previous != null || !beaten.getAndSet(true)) {
                            return;
                        }
                        // The key had expired (a long pause, Redis frozen past the TTL, or restarted): the other
                        // nodes may have swept this node's presence, so it is reported again.
                        SharedPresence.Listener target = presenceListener;
                        if (target != null && !closed) {
                            LOG.warn("This node's presence had expired in Redis; reporting it again");
                            target.onResync();
                        }
                    });
            async.sadd(bytes(config.keyPrefix() + "nodes"), nodeId);
        } catch (RuntimeException e) {
            LOG.debug("Presence heartbeat failed: {}", e.toString());
        }
    }

    /** Removes the presence of nodes that stopped beating; every node runs it, it is idempotent. */
    private void sweep() {
        if (closed || commands == null || !commands.isOpen()) {
            return;
        }
        byte[][] args = {bytes(config.keyPrefix()), channelPrefix};
        this.<List<Object>>script(PRESENCE_SWEEP_SCRIPT, presenceSweepSha, new byte[0][], args)
                .whenComplete((reply, error) -> {
                    if (error != null) {
                        LOG.debug("Presence sweep failed: {}", error.toString());
                    } else if ((Long) reply.get(0) > 0) {
                        presenceSwept.add((Long) reply.get(0));
                        LOG.info("Removed {} presence entries of nodes that stopped", reply.get(0));
                    }
                });
    }

    private byte[] livenessKey() {
        byte[] prefix = bytes(config.keyPrefix() + "node:");
        byte[] key = Arrays.copyOf(prefix, prefix.length + nodeId.length);
        System.arraycopy(nodeId, 0, key, prefix.length, nodeId.length);
        return key;
    }

    /** Presence entries of stopped nodes this node removed. */
    public long presenceSwept() {
        return presenceSwept.sum();
    }

    /**
     * Presence in Redis, per topic: {@code <prefix>{topic}:pd}, a hash of user → latest data, and per user
     * {@code <prefix>{topic}:pu:<user>}, a hash of node → connections. Each node keeps {@code <prefix>node:<id>}
     * alive with a heartbeat and lists its topics in {@code <prefix>node:<id>:t}; a node whose key expired is
     * swept out by the others, and readers skip it even before.
     */
    private final class RedisPresence implements SharedPresence {

        @Override
        public CompletionStage<Boolean> report(String topic, String user, int connections, String dataJson,
                                               int maxMembers) {
            if (closed || !commands.isOpen()) {
                return CompletableFuture.failedFuture(new BrokerUnavailableException("Redis is unreachable"));
            }
            String base = config.keyPrefix() + "{" + topic + "}:";
            byte[][] keys = {bytes(base + "pd"), bytes(base + "pu:" + user), concat(livenessKey(), bytes(":t")),
                    bytes(config.keyPrefix() + "nodes")};
            byte[][] args = {bytes(user), nodeId, bytes(Integer.toString(connections)),
                    bytes(dataJson == null ? "null" : dataJson), bytes(Integer.toString(maxMembers)), bytes(topic),
                    channel(topic)};
            return RedisBroker.this.<List<Object>>script(PRESENCE_REPORT_SCRIPT, presenceReportSha, keys, args)
                    .thenApply(reply -> (Long) reply.get(0) == 1L);
        }

        @Override
        @SuppressWarnings("unchecked")
        public CompletionStage<java.util.Map<String, Member>> members(String topic) {
            if (closed || !commands.isOpen()) {
                return CompletableFuture.failedFuture(new BrokerUnavailableException("Redis is unreachable"));
            }
            String base = config.keyPrefix() + "{" + topic + "}:";
            byte[][] keys = {bytes(base + "pd")};
            byte[][] args = {bytes(base + "pu:"), bytes(config.keyPrefix() + "node:")};
            return RedisBroker.this.<List<Object>>script(PRESENCE_MEMBERS_SCRIPT, presenceMembersSha, keys, args)
                    .thenApply(reply -> {
                        java.util.Map<String, Member> out = new java.util.LinkedHashMap<>();
                        for (int i = 0; i + 2 < reply.size(); i += 3) {
                            out.put(string(reply.get(i)), new Member(string(reply.get(i + 1)),
                                    ((Long) reply.get(i + 2)).intValue()));
                        }
                        return out;
                    });
        }

        @Override
        public void listen(Listener listener) {
            presenceListener = listener;
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ---------------------------------------------------------------- queue groups

    /**
     * One {@code SET key node NX PX} per publication and group, by each node with members of the group: the
     * first node to ask wins and delivers; the key expires after {@link #CLAIM_TTL}, long after every node has
     * asked. A node that cannot reach Redis delivers on its own (its publications are local-only then anyway).
     */
    @Override
    public CompletionStage<Boolean> claimGroupDelivery(String topic, String group, String epoch, long offset) {
        if (closed || !commands.isOpen()) {
            return CompletableFuture.failedFuture(new BrokerUnavailableException("Redis is unreachable"));
        }
        byte[] key = bytes(config.keyPrefix() + "{" + topic + "}:q:" + group + ":" + epoch + ":" + offset);
        try {
            return commands.async().set(key, nodeId, CLAIM_ARGS).thenApply("OK"::equals);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public BrokerStats stats() {
        return new BrokerStats(subscribed.size(), 0, 0, 0);
    }

    @Override
    public LinkStats link() {
        return new LinkStats(commands != null && commands.isOpen() && pubsub.isOpen(), pending.get(),
                overflows.sum(), failures.sum(), localOnly.sum(), missed.sum(), resets.sum(), reconnects.sum(),
                resubscriptions.sum());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (heartbeat != null) {
            heartbeat.cancel(false);
            sweeper.cancel(false);
        }
        try {
            // The others sweep this node's presence at their next sweep instead of after the TTL.
            if (commands != null && commands.isOpen()) {
                commands.sync().del(livenessKey());
            }
        } catch (RuntimeException e) {
            LOG.debug("Could not remove this node's liveness key: {}", e.toString());
        }
        shutdownClient();
    }

    private void shutdownClient() {
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        if (resources != null) {
            try {
                resources.shutdown(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.debug("Lettuce's resources did not shut down cleanly: {}", e.toString());
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Runs a script by its digest, loading it when Redis does not have it (first use, or after a restart). */
    private <T> CompletionStage<T> script(String script, String sha, byte[][] keys, byte[][] args) {
        RedisAsyncCommands<byte[], byte[]> async = commands.async();
        try {
            CompletionStage<T> bySha = async.evalsha(sha, ScriptOutputType.MULTI, keys, args);
            return bySha.handle((reply, error) -> {
                if (error == null) {
                    return CompletableFuture.completedFuture(reply);
                }
                Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                if (cause instanceof RedisNoScriptException) {
                    return async.<T>eval(script, ScriptOutputType.MULTI, keys, args);
                }
                return CompletableFuture.<T>failedFuture(cause);
            }).thenCompose(stage -> stage);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private byte[][] keys(String topic) {
        String base = config.keyPrefix() + "{" + topic + "}:";
        return new byte[][] {bytes(base + "e"), bytes(base + "o"), bytes(base + "h")};
    }

    private byte[] channel(String topic) {
        byte[] name = bytes(topic);
        byte[] channel = Arrays.copyOf(channelPrefix, channelPrefix.length + name.length);
        System.arraycopy(name, 0, channel, channelPrefix.length, name.length);
        return channel;
    }

    private static String newEpoch() {
        return String.format("%08x", ThreadLocalRandom.current().nextInt());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(Object reply) {
        return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(reply);
    }
}
