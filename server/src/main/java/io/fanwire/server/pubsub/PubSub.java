package io.fanwire.server.pubsub;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.codec.WireFormat;
import io.fanwire.common.protocol.ClientMessage.Action;
import io.fanwire.common.protocol.ClientMessage.PresenceQuery;
import io.fanwire.common.protocol.ClientMessage.Publish;
import io.fanwire.common.protocol.ClientMessage.Subscription;
import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ErrorCode;
import io.fanwire.common.protocol.MessageTypes;
import io.fanwire.common.protocol.ProtocolException;
import io.fanwire.common.protocol.ServerMessage;
import io.fanwire.common.protocol.ServerMessage.ErrorMessage;
import io.fanwire.common.protocol.ServerMessage.PresenceChange;
import io.fanwire.common.protocol.ServerMessage.PresenceState;
import io.fanwire.common.protocol.ServerMessage.PresenceUser;
import io.fanwire.common.protocol.ServerMessage.PublishAck;
import io.fanwire.common.protocol.ServerMessage.SubscriptionUpdate;
import io.fanwire.common.protocol.ServerMessage.TopicFailure;
import io.fanwire.common.protocol.ServerMessage.TopicPosition;
import io.fanwire.common.protocol.StreamPosition;
import io.fanwire.server.ServerConfig.JsonFrames;
import io.fanwire.server.ServerConfig.PubSubConfig;
import io.fanwire.server.ServerConfig.SlowConsumerPolicy;
import io.fanwire.server.broker.Broker;
import io.fanwire.server.broker.HistoryPage;
import io.fanwire.server.broker.Publication;
import io.fanwire.server.metrics.ServerStats;
import io.fanwire.server.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.EventExecutor;

/**
 * The publish/subscribe engine of one node.
 *
 * <p><b>Fan-out.</b> The broker hands each stamped publication to {@link #onPublication} once. It is encoded
 * once per wire format in use (JSON, msgpack) into one direct buffer, and each event loop that has subscribers
 * of the topic gets one task that writes a {@code retainedDuplicate()} of that buffer to each of its own
 * subscribers. No per-subscriber copy, no per-subscriber task, no global fan-out thread. Queue groups get one
 * member per publication, chosen round-robin among writable members.
 *
 * <p><b>Ordering and recovery.</b> Publications reach a loop in offset order and a connection's own writes go
 * through the same loop, so a connection sees sends and publications in the order they were made. A new
 * subscriber holds back live publications until the broker has told it where the stream stands (and, when it
 * asked to recover, has replayed what it missed); publications at or below that position are then skipped, so
 * nothing is delivered twice or out of order.
 *
 * <p><b>Slow consumers.</b> A subscriber whose outbound buffer is above its high-water mark is skipped (drop,
 * counted; the client sees the gap in {@code o}) or closed with 1013, by policy. Nobody else waits for it.
 *
 * <p>Methods taking a {@link Session} run on that session's event loop; the others are thread-safe.
 */
public final class PubSub implements Broker.PublicationListener {

    /** Replay may queue this many times the outbound high-water mark before it gives up (recovered:false). */
    private static final int REPLAY_BUDGET_FACTOR = 16;

    private static final Logger LOG = LoggerFactory.getLogger(PubSub.class);
    private static final com.fasterxml.jackson.databind.ObjectMapper PRESENCE_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    /** Queue group names follow the topic grammar, shorter. */
    private static final int MAX_GROUP_NAME_LENGTH = 64;
    /** Types a client may not give its publications: subscribers would take them for the protocol's own. */
    private static final java.util.Set<String> RESERVED_TYPES = java.util.Set.of(MessageTypes.SERVER_READY,
            MessageTypes.SERVER_HELLO, MessageTypes.PING, MessageTypes.PONG, MessageTypes.ERROR,
            MessageTypes.SUBSCRIPTION_UPDATE, MessageTypes.PUBLISH_ACK, MessageTypes.PRESENCE_STATE,
            MessageTypes.PRESENCE_JOIN, MessageTypes.PRESENCE_LEAVE, MessageTypes.PRESENCE_UPDATE,
            MessageTypes.REFRESH_OK, MessageTypes.TOKEN_EXPIRING, MessageTypes.RATE_LIMIT_WARNING, "pong");
    /** The least time between two presence data changes of one subscription (each is broadcast to the topic). */
    private static final long PRESENCE_UPDATE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How many times a queue group publication is passed on when its chosen member left meanwhile. */
    private static final int MAX_GROUP_REDIRECTS = 8;

    private final PubSubConfig config;
    private final Broker broker;
    private final FrameCodec codec;
    private final boolean binaryJson;
    private final ServerStats stats;
    private final EventExecutor[] loops;
    private final Map<EventExecutor, Integer> loopIndex = new IdentityHashMap<>();
    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    /**
     * The allocator of the per-loop wire frames: a pooled buffer's {@code retainedDuplicate()} comes from Netty's
     * recycler, so handing the frame to each subscriber allocates nothing (the default adaptive allocator's
     * buffers make a new duplicate object per delivery).
     */
    private static final ByteBufAllocator WIRE_ALLOC = PooledByteBufAllocator.DEFAULT;
    /** The cluster's presence (Redis), or {@code null}: this node's own presence is then the whole truth. */
    private final Broker.SharedPresence shared;
    /** Orders what the node tells the broker about its interest in topics; see {@link #declareInterest}. */
    private final Object interestLock = new Object();

    public PubSub(PubSubConfig config, Broker broker, FrameCodec codec, JsonFrames jsonFrames, ServerStats stats,
                  EventLoopGroup workers) {
        this.config = Objects.requireNonNull(config, "config");
        this.broker = Objects.requireNonNull(broker, "broker");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.binaryJson = jsonFrames == JsonFrames.BINARY;
        this.stats = Objects.requireNonNull(stats, "stats");
        List<EventExecutor> list = new ArrayList<>();
        workers.forEach(list::add);
        this.loops = list.toArray(EventExecutor[]::new);
        for (int i = 0; i < loops.length; i++) {
            loopIndex.put(loops[i], i);
        }
        this.shared = broker.sharedPresence();
        if (shared != null) {
            shared.listen(new SharedPresenceEvents());
        }
    }

    /** Topics with subscribers on this node. */
    public int topicCount() {
        return topics.size();
    }

    /** Present users summed over the topics of this node (a scrape-time walk, one short lock per topic). */
    public long presenceMembers() {
        long members = 0;
        for (Topic topic : topics.values()) {
            synchronized (topic) {
                members += topic.presence.size();
            }
        }
        return members;
    }

    // ---------------------------------------------------------------- requests of a connection (its event loop)

    /**
     * Subscribes {@code session} as {@code request} asks, then answers {@code subscription_update} (after any
     * replay). With {@code enforceAcl} false (server-side subscriptions) the token's ACL is not consulted.
     */
    public void subscribe(Session session, Subscription request, boolean enforceAcl) {
        if (request.action() == Action.UNSUBSCRIBE) {
            unsubscribe(session, request);
            return;
        }
        EventExecutor loop = session.channel().eventLoop();
        LinkedHashMap<String, Object> outcomes = new LinkedHashMap<>();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        String groupProblem = request.queueGroup() == null ? null
                : TopicNames.problem(request.queueGroup(), MAX_GROUP_NAME_LENGTH);
        String presenceProblem = presenceProblem(request.presence());
        for (String name : new LinkedHashSet<>(request.topics())) {
            String problem = TopicNames.problem(name, config.maxTopicNameLength());
            if (problem != null) {
                outcomes.put(name, reject(name, ErrorCode.INVALID_SUBSCRIPTION, problem));
            } else if (groupProblem != null) {
                outcomes.put(name, reject(name, ErrorCode.INVALID_SUBSCRIPTION, "queue group: " + groupProblem));
            } else if (presenceProblem != null) {
                outcomes.put(name, reject(name, ErrorCode.LIMIT_EXCEEDED, presenceProblem));
            } else if (enforceAcl && !acl(session).maySubscribe(name)) {
                outcomes.put(name, reject(name, ErrorCode.FORBIDDEN, "not allowed to subscribe to this topic"));
            } else {
                Subscriber existing = (Subscriber) session.subscriptions().get(name);
                if (existing != null) {
                    String presenceRefusal = updatePresence(existing, request.presence());
                    if (presenceRefusal != null) {
                        outcomes.put(name, reject(name, ErrorCode.LIMIT_EXCEEDED, presenceRefusal));
                    } else if (request.recover() && existing.queueGroup == null && !existing.recovering) {
                        // Still subscribed but missed something (a slow-consumer drop, say): replay the gap,
                        // holding live publications back meanwhile, exactly as for a new subscription.
                        existing.recovering = true;
                        StreamPosition since = request.recovery().get(name);
                        outcomes.put(name, null);
                        pending.add(broker.history(name, since, config.historySize()).toCompletableFuture()
                                .handleAsync((page, error) -> {
                                    outcomes.put(name, catchUp(existing, true, since, page, error));
                                    return null;
                                }, loop));
                    } else {
                        outcomes.put(name, new TopicPosition(existing.epoch == null ? "" : existing.epoch,
                                existing.lastOffset, null, 0));
                    }
                    continue;
                }
                if (session.subscriptions().size() >= config.maxSubscriptionsPerConnection()) {
                    outcomes.put(name, reject(name, ErrorCode.LIMIT_EXCEEDED, "at most "
                            + config.maxSubscriptionsPerConnection() + " subscriptions per connection"));
                    continue;
                }
                Subscriber subscriber = register(session, name, request.queueGroup());
                if (subscriber == null) {
                    outcomes.put(name, reject(name, ErrorCode.LIMIT_EXCEEDED, "too many topics on this node"));
                    continue;
                }
                String presenceRefusal = updatePresence(subscriber, request.presence());
                if (presenceRefusal != null) {
                    remove(subscriber);
                    outcomes.put(name, reject(name, ErrorCode.LIMIT_EXCEEDED, presenceRefusal));
                    continue;
                }
                StreamPosition since = request.recover() ? request.recovery().get(name) : null;
                boolean recover = request.recover();
                outcomes.put(name, null);
                pending.add(broker.history(name, since, recover ? config.historySize() : 0).toCompletableFuture()
                        .handleAsync((page, error) -> {
                            outcomes.put(name, catchUp(subscriber, recover, since, page, error));
                            return null;
                        }, loop));
            }
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).whenCompleteAsync((ignored, error) -> {
            List<String> ok = new ArrayList<>();
            List<TopicFailure> failed = new ArrayList<>();
            Map<String, TopicPosition> positions = new LinkedHashMap<>();
            outcomes.forEach((topic, outcome) -> {
                if (outcome instanceof TopicFailure f) {
                    failed.add(f);
                } else if (outcome instanceof TopicPosition p) {
                    ok.add(topic);
                    positions.put(topic, p);
                }
            });
            session.send(new SubscriptionUpdate(ok, failed, positions, request.correlationId()));
        }, loop);
    }

    /** Unsubscribes {@code session} from the request's topics (all when none are named) and answers. */
    public void unsubscribe(Session session, Subscription request) {
        List<String> names = request.topics().isEmpty() && session.hasSubscriptions()
                ? new ArrayList<>(session.subscriptions().keySet()) : request.topics();
        List<String> ok = new ArrayList<>();
        for (String name : new LinkedHashSet<>(names)) {
            Subscriber subscriber = session.hasSubscriptions() ? (Subscriber) session.subscriptions().get(name) : null;
            if (subscriber != null) {
                remove(subscriber);
            }
            ok.add(name);
        }
        session.send(new SubscriptionUpdate(ok, List.of(), Map.of(), request.correlationId()));
    }

    /**
     * The connection's token was refreshed: its ACL is rebuilt from the new claims, and subscriptions the new ACL
     * no longer allows end. The client is told in a {@code subscription_update} that lists them in
     * {@code failed_topics} with {@code FORBIDDEN}. Event loop only.
     */
    public void aclChanged(Session session) {
        if (!session.hasSubscriptions()) {
            return;
        }
        TopicAcl acl = acl(session);
        List<TopicFailure> ended = new ArrayList<>();
        for (Map.Entry<String, Object> e : new ArrayList<>(session.subscriptions().entrySet())) {
            if (!acl.maySubscribe(e.getKey())) {
                remove((Subscriber) e.getValue());
                ended.add(reject(e.getKey(), ErrorCode.FORBIDDEN, "unsubscribed: the refreshed token does not allow this topic"));
            }
        }
        if (!ended.isEmpty()) {
            session.send(new SubscriptionUpdate(List.of(), ended, Map.of(), null));
        }
    }

    /** Ends every subscription of a closed connection. */
    public void unsubscribeAll(Session session) {
        if (!session.hasSubscriptions()) {
            return;
        }
        for (Object subscriber : new ArrayList<>(session.subscriptions().values())) {
            remove((Subscriber) subscriber);
        }
    }

    /** A client's {@code publish}: checked against its publish ACL, stamped by the broker, acknowledged with a cid. */
    public void publish(Session session, Publish request) {
        String problem = TopicNames.problem(request.topic(), config.maxTopicNameLength());
        if (problem != null) {
            refuse(session, ErrorCode.INVALID_MESSAGE, problem, request.correlationId());
            return;
        }
        if (!acl(session).mayPublish(request.topic())) {
            refuse(session, ErrorCode.FORBIDDEN, "not allowed to publish to this topic", request.correlationId());
            return;
        }
        if (request.type() != null && RESERVED_TYPES.contains(request.type())) {
            refuse(session, ErrorCode.INVALID_MESSAGE, "type '" + request.type() + "' is reserved for the protocol",
                    request.correlationId());
            return;
        }
        Envelope message = Envelope.of(request.type() != null ? request.type() : MessageTypes.PUBLICATION,
                request.data() != null ? request.data() : Envelope.newPayload());
        // Answers go through the loop's task queue, behind the delivery of this very publication to this loop's
        // subscribers (queued while it was stamped): a publisher subscribed to the topic sees it before the ack.
        EventExecutor loop = session.channel().eventLoop();
        publish(request.topic(), message).whenCompleteAsync((position, error) -> {
            if (error != null) {
                stats.pubsubRejections.increment(ErrorCode.SERVER_ERROR.name());
                LOG.warn("Publication to {} failed: {}", request.topic(), error.toString());
                session.send(new ErrorMessage(ErrorCode.SERVER_ERROR.name(), "publication failed; try again",
                        true, 1, request.correlationId()));
            } else if (request.correlationId() != null) {
                session.send(new PublishAck(request.topic(), position.epoch(), position.offset(),
                        request.correlationId()));
            }
        }, loop);
    }

    /** A client's {@code presence} query (needs subscribe permission for the topic). */
    public void presence(Session session, PresenceQuery query) {
        String problem = TopicNames.problem(query.topic(), config.maxTopicNameLength());
        if (problem != null) {
            refuse(session, ErrorCode.INVALID_MESSAGE, problem, query.correlationId());
            return;
        }
        if (!acl(session).maySubscribe(query.topic())) {
            refuse(session, ErrorCode.FORBIDDEN, "not allowed to see presence of this topic", query.correlationId());
            return;
        }
        if (!session.channel().isWritable()) {
            // A large answer to a client that is not reading would only grow its outbound buffer.
            refuse(session, ErrorCode.RATE_LIMITED, "read what was sent before asking for presence",
                    query.correlationId());
            return;
        }
        if (shared == null) {
            session.send(new PresenceState(query.topic(), presence(query.topic()), query.correlationId()));
            return;
        }
        clusterPresence(query.topic()).whenCompleteAsync((users, error) ->
                session.send(new PresenceState(query.topic(), users, query.correlationId())),
                session.channel().eventLoop());
    }

    /**
     * Who is present in {@code topic} across the cluster, by user id: from the shared presence when the broker
     * has one (falling back to this node's, counted, when it cannot answer), else this node's.
     */
    public CompletionStage<Map<String, PresenceUser>> clusterPresence(String topic) {
        if (shared == null) {
            return CompletableFuture.completedFuture(presence(topic));
        }
        return shared.members(topic).handle((members, error) -> {
            if (error != null) {
                stats.presenceSyncFailures.increment();
                return presence(topic);
            }
            Map<String, PresenceUser> users = new LinkedHashMap<>();
            members.forEach((user, m) -> users.put(user, new PresenceUser(parseData(m.dataJson()), m.connections())));
            return users;
        });
    }

    // ---------------------------------------------------------------- the embedding API (any thread)

    /**
     * Publishes {@code message} to {@code topic}: stamped by the broker, delivered to every subscriber.
     *
     * @throws IllegalArgumentException when the topic name is invalid
     */
    public CompletionStage<StreamPosition> publish(String topic, Envelope message) {
        String problem = TopicNames.problem(topic, config.maxTopicNameLength());
        if (problem != null) {
            throw new IllegalArgumentException("topic: " + problem);
        }
        if (message.stamped()) {
            throw new IllegalArgumentException("message: already stamped (the broker stamps publications)");
        }
        return broker.publish(topic, message);
    }

    /** Who is present in {@code topic} on this node, by user id ({@link #clusterPresence} for the cluster). */
    public Map<String, PresenceUser> presence(String topic) {
        Topic t = topics.get(topic);
        Map<String, PresenceUser> users = new LinkedHashMap<>();
        if (t != null) {
            synchronized (t) {
                t.presence.forEach((user, entry) -> users.put(user, new PresenceUser(entry.data, entry.connections)));
            }
        }
        return users;
    }

    /** Publications of {@code topic} after {@code since} (at most {@code limit}) from the broker's history. */
    public CompletionStage<HistoryPage> history(String topic, StreamPosition since, int limit) {
        return broker.history(topic, since, limit);
    }

    // ---------------------------------------------------------------- fan-out

    @Override
    public void onPublication(Publication publication) {
        stats.publications.increment();
        Topic topic = topics.get(publication.topic());
        if (topic == null) {
            return;
        }
        Frames frames = new Frames(publication.json(), publication.envelope(), true, publication.epoch(),
                publication.offset());
        try {
            dispatch(topic, frames);
        } finally {
            frames.release();
        }
    }

    /** Sends {@code frames} to every subscriber of {@code topic} (one member per queue group for publications). */
    private void dispatch(Topic topic, Frames frames) {
        for (int i = 0; i < topic.slots.length; i++) {
            Topic.LoopSlot slot = topic.slots[i];
            int count = slot.count;
            if (count == 0) {
                continue;
            }
            int msgpack = slot.msgpackCount;
            // Each loop gets the complete WebSocket frame (server frames are unmasked, so the bytes are the same
            // for every subscriber) in a buffer of its own: its subscribers share it without a frame object, a
            // header buffer or a copy each, and its reference count never bounces between cores.
            ByteBuf json = count > msgpack ? frames.wire(false) : null;
            ByteBuf pack = msgpack > 0 ? frames.wire(true) : null;
            submit(i, new SlotDelivery(slot, frames, json, pack), json, pack);
        }
        for (Topic.QueueGroup group : topic.groups) {
            Subscriber[] members = group.members;
            if (members.length == 0) {
                continue;
            }
            if (!frames.stamped) {
                for (Subscriber member : members) {
                    sendOne(member, frames);
                }
                continue;
            }
            CompletableFuture<Boolean> claim = broker.claimGroupDelivery(topic.name, group.name, frames.epoch,
                    frames.offset).toCompletableFuture();
            if (claim.isDone() && !claim.isCompletedExceptionally()) {
                if (claim.join()) {
                    deliverToGroup(group, frames, false);
                } else {
                    stats.queueGroupRemote.increment();
                }
            } else {
                // Another node may take it: decided by the broker (Redis), asynchronously. The frames' shared
                // buffers are released when this dispatch returns, so the delivery encodes its own.
                claim.whenComplete((won, error) -> {
                    if (error != null) {
                        stats.queueGroupClaimFailures.increment();
                        deliverToGroup(group, frames, true);
                    } else if (won) {
                        deliverToGroup(group, frames, true);
                    } else {
                        stats.queueGroupRemote.increment();
                    }
                });
            }
        }
    }

    /** Hands a publication to one writable member of {@code group}; counted as a drop when none is. */
    private void deliverToGroup(Topic.QueueGroup group, Frames frames, boolean fresh) {
        Subscriber chosen = choose(group, null);
        if (chosen == null) {
            stats.slowConsumerDrops.increment();
            return;
        }
        ByteBuf buf = fresh ? frames.encodeFresh(chosen.msgpack)
                : retain(chosen.msgpack ? frames.msgpack() : frames.json());
        submit(chosen.loop, new GroupDelivery(group, chosen, frames, buf, 1), buf, null);
    }

    /**
     * Hands {@code task} to loop {@code index}; when the loop refuses it (the server is closing) the buffers
     * retained for the task are released here, since the task will never run to release them.
     */
    private void submit(int index, Runnable task, ByteBuf retainedA, ByteBuf retainedB) {
        try {
            loops[index].execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (retainedA != null) {
                retainedA.release();
            }
            if (retainedB != null) {
                retainedB.release();
            }
            LOG.debug("Event loop {} refused a delivery: {}", index, e.toString());
        }
    }

    /** The next writable member of {@code group} round-robin, other than {@code not}; {@code null} when none. */
    private static Subscriber choose(Topic.QueueGroup group, Subscriber not) {
        Subscriber[] members = group.members;
        if (members.length == 0) {
            return null;
        }
        int start = Math.floorMod(group.next.getAndIncrement(), members.length);
        for (int k = 0; k < members.length; k++) {
            Subscriber candidate = members[(start + k) % members.length];
            if (candidate != not && candidate.active && candidate.session.channel().isWritable()) {
                return candidate;
            }
        }
        return null;
    }

    private void sendOne(Subscriber member, Frames frames) {
        ByteBuf buf = retain(member.msgpack ? frames.msgpack() : frames.json());
        submit(member.loop, () -> {
            try {
                deliver(member, frames, buf, false);
            } finally {
                buf.release();
            }
        }, buf, null);
    }

    /**
     * Writes one publication to the member of a queue group chosen for it. Runs on the member's loop. A member
     * that left (or started closing) since it was chosen passes the publication on to another member, so that
     * the group still gets it once.
     */
    private final class GroupDelivery implements Runnable {
        private final Topic.QueueGroup group;
        private final Subscriber member;
        private final Frames frames;
        private final ByteBuf buf;
        private final int attempt;

        GroupDelivery(Topic.QueueGroup group, Subscriber member, Frames frames, ByteBuf buf, int attempt) {
            this.group = group;
            this.member = member;
            this.frames = frames;
            this.buf = buf;
            this.attempt = attempt;
        }

        @Override
        public void run() {
            try {
                if (member.active && !member.session.closing()) {
                    deliver(member, frames, buf, false);
                    return;
                }
                Subscriber next = attempt <= MAX_GROUP_REDIRECTS ? choose(group, member) : null;
                if (next == null) {
                    stats.slowConsumerDrops.increment();
                    return;
                }
                // The frames' shared buffers belong to the publishing thread and may be gone: encode anew when
                // the next member wants the other format.
                ByteBuf forNext = next.msgpack == member.msgpack ? buf.retain() : frames.encodeFresh(next.msgpack);
                submit(next.loop, new GroupDelivery(group, next, frames, forNext, attempt + 1), forNext, null);
            } finally {
                buf.release();
            }
        }
    }

    /** Writes one publication to every subscriber of one loop slot. Runs on that loop. */
    private final class SlotDelivery implements Runnable {
        private final Topic.LoopSlot slot;
        private final Frames frames;
        private final ByteBuf json;
        private final ByteBuf msgpack;

        SlotDelivery(Topic.LoopSlot slot, Frames frames, ByteBuf json, ByteBuf msgpack) {
            this.slot = slot;
            this.frames = frames;
            this.json = json;
            this.msgpack = msgpack;
        }

        @Override
        public void run() {
            try {
                Subscriber[] subscribers = slot.subscribers;
                for (int i = 0, n = slot.size; i < n; i++) {
                    Subscriber s = subscribers[i];
                    ByteBuf buf = s.msgpack ? msgpack : json;
                    if (buf != null) {
                        deliver(s, frames, buf, true);
                    }
                }
            } finally {
                if (json != null) {
                    json.release();
                }
                if (msgpack != null) {
                    msgpack.release();
                }
            }
        }
    }

    /**
     * Delivers one publication (or presence event) to one subscriber. Runs on its loop. {@code shared} is the
     * message's payload, or with {@code wire} the complete WebSocket frame of {@link Frames#wire}, written as it
     * is past the frame encoder.
     */
    private void deliver(Subscriber s, Frames frames, ByteBuf shared, boolean wire) {
        if (!s.active || s.session.closing()) {
            return;
        }
        if (frames.stamped) {
            if (s.recovering) {
                if (!s.holdBack(frames.epoch, frames.offset, wire ? payloadOf(shared) : shared.retainedDuplicate())) {
                    // Every publication lost this way counts, as one that found the subscriber unwritable would.
                    stats.slowConsumerDrops.increment();
                }
                return;
            }
            // A queue group member sees a sparse subsequence of the stream, and a publication passed on from a
            // member that left may come after later ones: it is still the group's, so never skipped.
            if (s.queueGroup == null && frames.epoch.equals(s.epoch) && frames.offset <= s.lastOffset) {
                return;
            }
        }
        Channel channel = s.session.channel();
        if (!channel.isWritable()) {
            if (!frames.stamped) {
                // A presence event is never worth a connection, nor counted as a lost publication.
                stats.presenceDrops.increment();
                return;
            }
            if (s.topic.policy == SlowConsumerPolicy.DISCONNECT) {
                // The session closes the TCP connection after a grace period if the close frame cannot get out.
                stats.slowConsumerDisconnects.increment();
                s.session.close(CloseCodes.TRY_AGAIN_LATER, "slow consumer");
                return;
            }
            stats.slowConsumerDrops.increment();
        } else {
            if (wire) {
                ChannelHandlerContext out = s.session.wireContext();
                if (out != null) {
                    out.writeAndFlush(shared.retainedDuplicate(), out.voidPromise());
                } else {
                    channel.writeAndFlush(shared.retainedDuplicate(), channel.voidPromise());
                }
            } else {
                channel.writeAndFlush(frame(s, shared.retainedDuplicate()), channel.voidPromise());
            }
            if (frames.stamped) {
                // Presence events take this path too, but the counter is the invariant's: publications only.
                stats.deliveries.increment();
            }
        }
        if (frames.stamped) {
            s.epoch = frames.epoch;
            s.lastOffset = frames.offset;
        }
    }

    /** The payload of a frame made by {@link Frames#wire}, as a retained slice. */
    private static ByteBuf payloadOf(ByteBuf wire) {
        int length = wire.getByte(wire.readerIndex() + 1) & 0x7f;
        int header = length == 127 ? 10 : length == 126 ? 4 : 2;
        return wire.retainedSlice(wire.readerIndex() + header, wire.readableBytes() - header);
    }

    private WebSocketFrame frame(Subscriber s, ByteBuf content) {
        return s.msgpack || binaryJson ? new BinaryWebSocketFrame(content) : new TextWebSocketFrame(content);
    }

    /**
     * One publication's (or presence event's) encodings, made at most once each and shared by every subscriber.
     * Created and released on the publishing thread; loops hold their own references.
     */
    private final class Frames {
        final byte[] jsonBytes;
        final Envelope envelope;
        final boolean stamped;
        final String epoch;
        final long offset;
        private ByteBuf json;
        private ByteBuf msgpack;

        Frames(byte[] jsonBytes, Envelope envelope, boolean stamped, String epoch, long offset) {
            this.jsonBytes = jsonBytes;
            this.envelope = envelope;
            this.stamped = stamped;
            this.epoch = epoch;
            this.offset = offset;
        }

        ByteBuf json() {
            if (json == null) {
                json = alloc.directBuffer(jsonBytes.length).writeBytes(jsonBytes);
            }
            return json;
        }

        ByteBuf msgpack() {
            if (msgpack == null) {
                msgpack = codec.encode(alloc, envelope != null ? envelope : decode(jsonBytes), WireFormat.MSGPACK);
            }
            return msgpack;
        }

        /**
         * A new buffer holding this message as one complete, unmasked WebSocket frame (FIN, text or binary as
         * {@link #frame} would choose, the length), for the caller to release.
         */
        ByteBuf wire(boolean msgpack) {
            // JSON comes straight from the broker's bytes; the shared payload buffer is made only for the paths
            // that still need one (queue groups, single sends).
            ByteBuf payload = msgpack ? msgpack() : null;
            int length = msgpack ? payload.readableBytes() : jsonBytes.length;
            int header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
            ByteBuf out = WIRE_ALLOC.directBuffer(header + length);
            out.writeByte(msgpack || binaryJson ? 0x82 : 0x81);
            if (length < 126) {
                out.writeByte(length);
            } else if (length < 65_536) {
                out.writeByte(126).writeShort(length);
            } else {
                out.writeByte(127).writeLong(length);
            }
            return msgpack ? out.writeBytes(payload, payload.readerIndex(), length) : out.writeBytes(jsonBytes);
        }

        /** A new buffer of this message in one format, for the caller to release; never one of the shared ones. */
        ByteBuf encodeFresh(boolean msgpack) {
            return msgpack ? codec.encode(alloc, envelope != null ? envelope : decode(jsonBytes), WireFormat.MSGPACK)
                    : alloc.directBuffer(jsonBytes.length).writeBytes(jsonBytes);
        }

        void release() {
            if (json != null) {
                json.release();
            }
            if (msgpack != null) {
                msgpack.release();
            }
        }
    }

    private Envelope decode(byte[] json) {
        try {
            return codec.json().decode(json, 0, json.length);
        } catch (ProtocolException e) {
            throw new IllegalStateException("broker delivered a publication that does not decode: " + e.getMessage(), e);
        }
    }

    private static ByteBuf retain(ByteBuf buf) {
        return buf == null ? null : buf.retain();
    }

    // ---------------------------------------------------------------- subscription bookkeeping

    /** Adds a subscriber of {@code name} for {@code session}, or {@code null} when the node has too many topics. */
    private Subscriber register(Session session, String name, String group) {
        Topic topic;
        boolean first;
        while (true) {
            topic = topics.get(name);
            if (topic == null) {
                if (topics.size() >= config.maxTopics()) {
                    return null;
                }
                topic = topics.computeIfAbsent(name, n -> new Topic(n, loops.length, policyFor(n)));
            }
            synchronized (topic) {
                if (topic.removed) {
                    continue;
                }
                first = ++topic.subscribers == 1;
                break;
            }
        }
        int loop = loopIndex.get(session.channel().eventLoop());
        Subscriber subscriber = new Subscriber(session, topic, loop, group, session.format() == WireFormat.MSGPACK);
        if (group == null) {
            topic.slots[loop].add(subscriber);
        } else {
            subscriber.recovering = false;
            synchronized (topic) {
                Topic.QueueGroup queueGroup = null;
                for (Topic.QueueGroup g : topic.groups) {
                    if (g.name.equals(group)) {
                        queueGroup = g;
                    }
                }
                if (queueGroup == null) {
                    queueGroup = new Topic.QueueGroup(group);
                    Topic.QueueGroup[] grown = Arrays.copyOf(topic.groups, topic.groups.length + 1);
                    grown[grown.length - 1] = queueGroup;
                    topic.groups = grown;
                }
                Subscriber[] members = Arrays.copyOf(queueGroup.members, queueGroup.members.length + 1);
                members[members.length - 1] = subscriber;
                queueGroup.members = members;
            }
        }
        session.subscriptions().put(name, subscriber);
        stats.subscriptionsActive.incrementAndGet();
        if (first) {
            declareInterest(name);
        }
        return subscriber;
    }

    /**
     * Tells the broker whether this node has subscribers of {@code name}, after a topic's first subscriber
     * came or its last one left. The answer is read under the lock that orders these calls: a topic's last
     * subscriber leaving on one loop and a new first one arriving on another can otherwise reach the broker
     * in the wrong order and leave it believing nobody here wants the topic.
     */
    private void declareInterest(String name) {
        synchronized (interestLock) {
            broker.interest(name, topics.containsKey(name));
        }
    }

    /** Ends one subscription. Runs on the subscriber's loop. */
    private void remove(Subscriber s) {
        if (!s.active) {
            return;
        }
        s.active = false;
        Topic topic = s.topic;
        if (s.queueGroup == null) {
            topic.slots[s.loop].remove(s);
        } else {
            synchronized (topic) {
                List<Topic.QueueGroup> kept = new ArrayList<>();
                for (Topic.QueueGroup g : topic.groups) {
                    if (g.name.equals(s.queueGroup)) {
                        g.members = Arrays.stream(g.members).filter(m -> m != s).toArray(Subscriber[]::new);
                    }
                    if (g.members.length > 0) {
                        kept.add(g);
                    }
                }
                topic.groups = kept.toArray(Topic.QueueGroup[]::new);
            }
        }
        s.releaseHeldBack();
        leavePresence(s);
        s.session.subscriptions().remove(topic.name, s);
        stats.subscriptionsActive.decrementAndGet();
        boolean last;
        synchronized (topic) {
            last = --topic.subscribers == 0;
            if (last) {
                topic.removed = true;
                topics.remove(topic.name, topic);
            }
        }
        if (last) {
            declareInterest(topic.name);
        }
    }

    /**
     * Completes a new subscription once the broker said where the stream stands: replays what the client
     * missed (when it asked and history has it), then releases the live publications held back meanwhile.
     * Runs on the subscriber's loop.
     */
    private Object catchUp(Subscriber s, boolean recover, StreamPosition since, HistoryPage page, Throwable error) {
        if (!s.active) {
            return reject(s.topic.name, ErrorCode.INVALID_SUBSCRIPTION, "unsubscribed before the subscription completed");
        }
        Channel channel = s.session.channel();
        int replayed = 0;
        Boolean recovered = null;
        if (error != null || page == null) {
            LOG.warn("History of {} unavailable: {}", s.topic.name, String.valueOf(error));
            s.epoch = null;
            s.lastOffset = 0;
            recovered = recover ? Boolean.FALSE : null;
        } else {
            StreamPosition current = page.current();
            if (recover) {
                recovered = page.complete() && since != null;
                if (recovered) {
                    // The client asked for this page, and the page is bounded by the history: it may go past the
                    // outbound high-water mark that bounds live deliveries, up to a replay budget. A client that
                    // was merely busy then still recovers; beyond the budget replay stops, and the client learns
                    // from recovered:false that it should ask again once it has read.
                    long budget = (long) channel.config().getWriteBufferHighWaterMark() * REPLAY_BUDGET_FACTOR;
                    long replayedBytes = 0;
                    for (Publication p : page.publications()) {
                        if (!channel.isWritable() && replayedBytes >= budget) {
                            recovered = false;
                            break;
                        }
                        ByteBuf replay = replayFrame(s, p);
                        replayedBytes += replay.readableBytes();
                        channel.write(frame(s, replay), channel.voidPromise());
                        replayed++;
                    }
                    stats.replayed.add(replayed);
                }
            }
            s.epoch = current.epoch();
            s.lastOffset = current.offset();
        }
        long baseline = s.lastOffset;
        String baselineEpoch = s.epoch;
        s.recovering = false;
        if (s.heldBack != null) {
            for (Subscriber.HeldBack h : s.heldBack) {
                if (h.epoch().equals(s.epoch) && h.offset() <= s.lastOffset) {
                    h.frame().release();
                    continue;
                }
                if (channel.isWritable()) {
                    channel.write(frame(s, h.frame()), channel.voidPromise());
                    stats.deliveries.increment();
                } else {
                    h.frame().release();
                    if (s.topic.policy == SlowConsumerPolicy.DISCONNECT && !s.session.closing()) {
                        stats.slowConsumerDisconnects.increment();
                        s.session.close(CloseCodes.TRY_AGAIN_LATER, "slow consumer");
                    } else {
                        stats.slowConsumerDrops.increment();
                    }
                }
                s.epoch = h.epoch();
                s.lastOffset = h.offset();
            }
            s.heldBack = null;
        }
        channel.flush();
        return new TopicPosition(baselineEpoch == null ? "" : baselineEpoch, baseline, recovered, replayed);
    }

    private ByteBuf replayFrame(Subscriber s, Publication p) {
        if (!s.msgpack) {
            return alloc.directBuffer(p.json().length).writeBytes(p.json());
        }
        return codec.encode(alloc, p.envelope() != null ? p.envelope() : decode(p.json()), WireFormat.MSGPACK);
    }

    // ---------------------------------------------------------------- presence

    private String presenceProblem(ObjectNode data) {
        if (data == null) {
            return null;
        }
        int size = codec.json().encodeToBytes(Envelope.of("presence", data)).length;
        return size > config.presenceMaxDataBytes() + 64
                ? "presence data larger than " + config.presenceMaxDataBytes() + " bytes" : null;
    }

    /** Announces {@code data} (may be {@code null}: no presence) for a subscription; false when the topic is full. */
    private String updatePresence(Subscriber s, ObjectNode data) {
        if (data == null) {
            return null;
        }
        if (s.presence != null && !data.equals(s.presence)) {
            // Each change is broadcast to every subscriber of the topic: one connection may not make that a flood.
            long now = s.session.channel().eventLoop().ticker().nanoTime();
            if (now - s.presenceChangedNanos < PRESENCE_UPDATE_INTERVAL_NANOS) {
                return "presence data changes at most once a second";
            }
            s.presenceChangedNanos = now;
        }
        Topic topic = s.topic;
        String user = s.session.info().userId();
        String event = null;
        CompletionStage<Boolean> reported = null;
        synchronized (topic) {
            Topic.PresenceEntry entry = topic.presence.get(user);
            if (s.presence == null) {
                if (entry == null) {
                    if (topic.presence.size() >= config.presenceMaxMembers()) {
                        return "presence of this topic is full";
                    }
                    entry = new Topic.PresenceEntry();
                    topic.presence.put(user, entry);
                    event = MessageTypes.PRESENCE_JOIN;
                } else if (!data.equals(entry.data)) {
                    event = MessageTypes.PRESENCE_UPDATE;
                }
                entry.connections++;
            } else if (entry != null && !data.equals(entry.data)) {
                event = MessageTypes.PRESENCE_UPDATE;
            }
            if (entry != null) {
                entry.data = data;
                if (shared != null) {
                    // Under the topic's lock, so that the broker gets one user's reports in order.
                    reported = shared.report(topic.name, user, entry.connections, data.toString(),
                            config.presenceMaxMembers());
                }
            }
        }
        s.presence = data;
        if (event != null || reported != null) {
            announce(topic, reported, new PresenceChange(event, topic.name, user, data));
        }
        return null;
    }

    /**
     * Tells the topic's subscribers of a presence change: this node's own when presence is local; the cluster's
     * when it is shared (the broker sends the event to every node, this one included), unless the broker could
     * not take the report, when this node's subscribers still hear of its own change.
     */
    private void announce(Topic topic, CompletionStage<Boolean> reported, PresenceChange local) {
        if (reported == null) {
            if (local.type() != null) {
                broadcast(topic, local);
            }
            return;
        }
        reported.whenComplete((accepted, error) -> {
            if (error != null) {
                stats.presenceSyncFailures.increment();
                if (local.type() != null) {
                    broadcast(topic, local);
                }
            } else if (!accepted) {
                stats.pubsubRejections.increment(ErrorCode.LIMIT_EXCEEDED.name());
                LOG.debug("Presence of {} is full across the cluster; {} is not listed", topic.name, local.userId());
            }
        });
    }

    private void leavePresence(Subscriber s) {
        if (s.presence == null) {
            return;
        }
        Topic topic = s.topic;
        String user = s.session.info().userId();
        boolean left = false;
        CompletionStage<Boolean> reported = null;
        synchronized (topic) {
            Topic.PresenceEntry entry = topic.presence.get(user);
            if (entry != null && --entry.connections == 0) {
                topic.presence.remove(user);
                left = true;
            }
            if (entry != null && shared != null) {
                reported = shared.report(topic.name, user, entry.connections,
                        entry.data == null ? null : entry.data.toString(), config.presenceMaxMembers());
            }
        }
        s.presence = null;
        if (left || reported != null) {
            announce(topic, reported,
                    new PresenceChange(left ? MessageTypes.PRESENCE_LEAVE : null, topic.name, user, null));
        }
    }

    private ObjectNode parseData(String json) {
        if (json == null || json.equals("null")) {
            return null;
        }
        try {
            return (ObjectNode) PRESENCE_JSON.readTree(json);
        } catch (java.io.IOException | ClassCastException e) {
            LOG.warn("Ignored presence data that is not a JSON object");
            return null;
        }
    }

    /** The cluster's presence events (from the broker's threads): told to this node's subscribers of the topic. */
    private final class SharedPresenceEvents implements Broker.SharedPresence.Listener {

        @Override
        public void onPresence(String topicName, String type, String user, String dataJson) {
            Topic topic = topics.get(topicName);
            if (topic != null) {
                broadcast(topic, new PresenceChange(type, topicName, user, parseData(dataJson)));
            }
        }

        @Override
        public void onResync() {
            for (Topic topic : topics.values()) {
                synchronized (topic) {
                    topic.presence.forEach((user, entry) -> shared.report(topic.name, user, entry.connections,
                            entry.data == null ? null : entry.data.toString(), Integer.MAX_VALUE)
                            .whenComplete((ok, error) -> {
                                if (error != null) {
                                    stats.presenceSyncFailures.increment();
                                }
                            }));
                }
            }
        }
    }

    /** Sends an unstamped message (a presence event) to every subscriber of {@code topic}, encoded once. */
    private void broadcast(Topic topic, ServerMessage message) {
        Envelope envelope = message.toEnvelope();
        Frames frames = new Frames(codec.json().encodeToBytes(envelope), envelope, false, null, 0);
        try {
            dispatch(topic, frames);
        } finally {
            frames.release();
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The slow-consumer policy of {@code topic}: the first matching override, else the global one. */
    private SlowConsumerPolicy policyFor(String topic) {
        for (PubSubConfig.PolicyOverride o : config.slowConsumerOverrides()) {
            if (TopicAcl.matches(o.topicPattern(), topic)) {
                return o.policy();
            }
        }
        return config.slowConsumerPolicy();
    }

    private TopicAcl acl(Session session) {
        TopicAcl acl = (TopicAcl) session.acl();
        if (acl == null) {
            acl = TopicAcl.fromClaims(session.claims(), config.subscribeByDefault(), config.publishByDefault());
            session.acl(acl);
        }
        return acl;
    }

    private TopicFailure reject(String topic, ErrorCode code, String reason) {
        stats.pubsubRejections.increment(code.name());
        return new TopicFailure(topic, code.name(), reason);
    }

    private void refuse(Session session, ErrorCode code, String message, String correlationId) {
        stats.pubsubRejections.increment(code.name());
        session.send(ErrorMessage.of(code, message, correlationId));
    }
}
