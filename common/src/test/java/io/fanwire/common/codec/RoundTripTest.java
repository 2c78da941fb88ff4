package io.fanwire.common.codec;

import static io.fanwire.common.codec.Buffers.decode;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.common.protocol.ApplicationMessage;
import io.fanwire.common.protocol.Categories;
import io.fanwire.common.protocol.ClientMessage;
import io.fanwire.common.protocol.ClientMessage.ClientHello;
import io.fanwire.common.protocol.ClientMessage.ClientPing;
import io.fanwire.common.protocol.ClientMessage.ClientPong;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ErrorCode;
import io.fanwire.common.protocol.Features;
import io.fanwire.common.protocol.ProtocolException;
import io.fanwire.common.protocol.ServerMessage;
import io.fanwire.common.protocol.ServerMessage.ErrorMessage;
import io.fanwire.common.protocol.ServerMessage.Limits;
import io.fanwire.common.protocol.ServerMessage.ServerHello;
import io.fanwire.common.protocol.ServerMessage.ServerPing;
import io.fanwire.common.protocol.ServerMessage.ServerPong;
import io.fanwire.common.protocol.ServerMessage.ServerReady;
import io.netty.buffer.ByteBuf;

/** Whatever the server or a client sends comes back equal, in both wire formats and all buffer kinds. */
class RoundTripTest {

    private static final String TIME = "2026-01-02T03:04:05.678Z";
    private static final long MILLIS = 1767323045678L;

    private final FrameCodec codec = new FrameCodec(DecodeLimits.DEFAULT);

    /** A payload of every value type that has the same node type after a trip through either format. */
    private static ObjectNode richPayload() {
        ObjectNode p = Envelope.newPayload();
        p.put("int", -42);
        p.put("long", 1L << 40);
        p.put("u64", new BigInteger("18446744073709551615"));
        p.put("double", 0.1);
        p.put("text", "héllo 😀 \"quoted\"\n");
        p.put("empty", "");
        p.put("yes", true);
        p.put("no", false);
        p.putNull("nothing");
        p.putArray("list").add(1).add("two").add(3.5).addNull().addArray().add(Envelope.newPayload());
        p.putObject("nested").putObject("deeper").putArray("a").addObject().put("k", "v");
        return p;
    }

    static Stream<Arguments> everyFieldCombination() {
        List<Arguments> cases = new ArrayList<>();
        Buffers.Memory[] memories = Buffers.Memory.values();
        for (int mask = 0; mask < 1 << 9; mask++) {
            boolean stamped = (mask & 1) != 0;
            Envelope envelope = new Envelope(
                    stamped ? "chat" : null, stamped ? "0000abcd" : null, stamped ? 42 : Envelope.NO_OFFSET,
                    (mask & 2) != 0 ? Categories.UPDATE : null,
                    "chat_message",
                    richPayload(),
                    (mask & 4) != 0 ? "01890a5d-ac96-774b-bcce-b302099a8057" : null,
                    (mask & 8) != 0 ? TIME : null,
                    (mask & 16) != 0 ? 7 : Envelope.NO_SEQ,
                    (mask & 32) != 0 ? "req-1" : null,
                    (mask & 64) != 0 ? -3 : null,
                    (mask & 128) != 0 ? "c2lnbmF0dXJl" : null,
                    (mask & 256) != 0 ? Envelope.PROTOCOL_VERSION : Envelope.NO_VERSION);
            for (WireFormat format : WireFormat.values()) {
                cases.add(Arguments.of(envelope, format, memories[mask % memories.length]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "[{index}] {1} in {2}")
    @MethodSource("everyFieldCombination")
    void keepsEveryFieldCombination(Envelope envelope, WireFormat format, Buffers.Memory memory)
            throws ProtocolException {
        assertThat(trip(envelope, format, memory)).isEqualTo(envelope);
    }

    private Envelope trip(Envelope envelope, WireFormat format, Buffers.Memory memory) throws ProtocolException {
        byte[] frame = Buffers.drain(codec.encode(memory.allocator(), envelope, format));
        Envelope decoded = decode(codec, frame, format == WireFormat.JSON, memory);
        if (format == WireFormat.JSON) {
            assertThat(decode(codec, frame, false, memory)).isEqualTo(decoded);
        }
        return decoded;
    }

    static Stream<Arguments> serverMessages() {
        ObjectNode chat = Envelope.newPayload().put("text", "hi").put("from", "u1");
        List<ServerMessage> messages = List.of(
                new ServerReady("conn-1", "user-1", 1, new Features(true, true, false, true), TIME),
                new ServerReady("conn-2", "", 1, Features.NONE, TIME),
                new ServerHello("fanwire/0.1.0", 1, new Features(true, false, true, false),
                        new Limits(1 << 20, 100, 12.5), 25_000, "conn-1", TIME, "2026-01-02T04:04:05.678Z",
                        "BPn9Yl3q0c1aXW1XQ0YrN0e8yQ9hXb3kR4sQm6o0yJpL"),
                new ServerHello("fanwire/0.1.0", 1, Features.NONE, new Limits(65_536, 0, 0.0), 30_000, "conn-3",
                        TIME, null, null),
                new ServerPing(MILLIS),
                new ServerPong(-1, MILLIS, 0),
                new ServerPong(MILLIS - 12, MILLIS, 12),
                ErrorMessage.of(ErrorCode.RATE_LIMITED, "slow down", "req-7"),
                ErrorMessage.of(ErrorCode.INVALID_MESSAGE, "p: expected an object, got an array", null),
                new ErrorMessage("RATE_LIMITED", "slow down", true, 2.5, null),
                new ApplicationMessage(Envelope.of("chat_message", chat).withStamp("chat", "0000abcd", 42)),
                new ApplicationMessage(Envelope.of("presence_join", chat.deepCopy()).withCategory(Categories.SNAPSHOT)),
                new ServerMessage.PublishAck("chat", "0000abcd", 43, "req-2"),
                new ServerMessage.SubscriptionUpdate(List.of("chat", "news"),
                        List.of(new ServerMessage.TopicFailure("secret", "FORBIDDEN", "not allowed")),
                        java.util.Map.of("chat", new ServerMessage.TopicPosition("0000abcd", 43, true, 5),
                                "news", new ServerMessage.TopicPosition("00001234", 0, null, 0)), "sub-1"),
                new ServerMessage.PresenceState("lobby", java.util.Map.of(
                        "alice", new ServerMessage.PresenceUser(chat.deepCopy(), 2),
                        "bob", new ServerMessage.PresenceUser(null, 1)), null),
                new ServerMessage.PresenceChange("presence_join", "lobby", "alice", chat.deepCopy()),
                new ServerMessage.PresenceChange("presence_leave", "lobby", "bob", null),
                new ServerMessage.TokenExpiring("2026-01-02T04:04:05.000Z"),
                new ServerMessage.RefreshOk("2026-01-02T05:04:05.000Z", "r-1"),
                new ServerMessage.RefreshOk("2026-01-02T05:04:05.000Z", null),
                new ServerMessage.RateLimitWarning(42.5, 100, 19, 1.62),
                new ApplicationMessage(Envelope.system("custom_system_event", Envelope.newPayload().put("x", 1))
                        .withCorrelationId("req-2")));
        List<Arguments> cases = new ArrayList<>();
        for (ServerMessage message : messages) {
            for (WireFormat format : WireFormat.values()) {
                cases.add(Arguments.of(message, format));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "[{index}] {0} as {1}")
    @MethodSource("serverMessages")
    void keepsEveryServerMessage(ServerMessage message, WireFormat format) throws ProtocolException {
        Envelope sent = message.toEnvelope().withMeta("01890a5d-ac96-774b-bcce-b302099a8057", TIME, 9);

        for (Buffers.Memory memory : Buffers.Memory.values()) {
            Envelope received = trip(sent, format, memory);

            assertThat(received.id()).isEqualTo(sent.id());
            assertThat(received.timestamp()).isEqualTo(TIME);
            assertThat(received.seq()).isEqualTo(9);
            assertThat(ServerMessage.from(received))
                    .isEqualTo(message instanceof ApplicationMessage ? new ApplicationMessage(sent) : message);
        }
    }

    static Stream<Arguments> clientMessages() {
        List<ClientMessage> messages = List.of(
                new ClientHello("fanwire-js/1.2.0", 1, new Features(true, true, false, true), null),
                new ClientHello(null, 2, Features.NONE, "BPn9Yl3q0c1aXW1XQ0YrN0e8yQ9hXb3kR4sQm6o0yJpL"),
                new ClientPing(MILLIS, "ping-1"),
                new ClientPing(-1, null),
                new ClientPong(MILLIS, MILLIS + 5),
                new ClientPong(-1, -1),
                new ClientMessage.Publish("chat", null, null, "req-3"),
                new ClientMessage.Publish("chat", "chat_message", Envelope.newPayload().put("text", "hi"), null),
                new ClientMessage.Subscription(ClientMessage.Action.SUBSCRIBE, List.of("a", "b"),
                        Envelope.newPayload().put("status", "online"), "workers", true,
                        java.util.Map.of("a", new io.fanwire.common.protocol.StreamPosition("0000abcd", 7)), "s-1"),
                new ClientMessage.Subscription(ClientMessage.Action.UNSUBSCRIBE, List.of(), null, null, false,
                        java.util.Map.of(), null),
                new ClientMessage.PresenceQuery("lobby", "q-1"),
                new ClientMessage.Refresh("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln", "r-1"),
                new ClientMessage.Refresh("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln", null),
                new ApplicationMessage(Envelope.of("custom_event", Envelope.newPayload().put("n", 1))));
        List<Arguments> cases = new ArrayList<>();
        for (ClientMessage message : messages) {
            for (WireFormat format : WireFormat.values()) {
                cases.add(Arguments.of(message, format));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "[{index}] {0} as {1}")
    @MethodSource("clientMessages")
    void keepsEveryClientMessage(ClientMessage message, WireFormat format) throws ProtocolException {
        for (Buffers.Memory memory : Buffers.Memory.values()) {
            Envelope received = trip(message.toEnvelope(), format, memory);

            assertThat(ClientMessage.from(received)).isEqualTo(message);
        }
    }

    @Test
    void keepsMessagesThroughCompression() throws ProtocolException {
        Envelope envelope = Envelope.of("chat_message", richPayload()).withStamp("chat", "0000abcd", 7)
                .withMeta("id", TIME, 3);
        ByteBuf json = codec.encode(Buffers.Memory.POOLED_DIRECT.allocator(), envelope, WireFormat.JSON);
        byte[] frame = Buffers.drain(codec.compress(Buffers.Memory.POOLED_DIRECT.allocator(), json));

        for (Buffers.Memory memory : Buffers.Memory.values()) {
            assertThat(decode(codec, frame, false, memory)).isEqualTo(envelope);
        }
    }
}
