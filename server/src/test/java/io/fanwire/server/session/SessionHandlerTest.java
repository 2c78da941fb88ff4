package io.fanwire.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.codec.WireFormat;
import io.fanwire.common.protocol.ApplicationMessage;
import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ProtocolException;
import io.fanwire.common.protocol.Timestamps;
import io.fanwire.common.protocol.Uuid7;
import io.fanwire.server.ServerConfig;
import io.fanwire.server.ServerConfig.DrainConfig;
import io.fanwire.server.ServerConfig.JsonFrames;
import io.fanwire.server.drain.ConnectionInfo;
import io.fanwire.server.drain.InboundEvent;
import io.fanwire.server.testing.EmbeddedServices;
import io.fanwire.server.testing.TestServers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * A connection after the upgrade: the handlers {@link SessionHandler#install} adds, on a channel that
 * speaks WebSocket frame objects (the frame codec itself is Netty's), with the real registry, drain queue,
 * codec and counters behind them.
 */
class SessionHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant TOKEN_EXPIRES = Instant.parse("2030-01-02T03:04:05.678Z");

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private EmbeddedServices services;
    private ConnectionInfo info;
    private SessionHandler handler;

    /** Installs and starts a JSON connection of alice over the test config. */
    private void connect() {
        connect(c -> { }, WireFormat.JSON);
    }

    private void connect(Consumer<ServerConfig.Builder> customizer, WireFormat format) {
        ServerConfig.Builder config = TestServers.config();
        customizer.accept(config);
        services = EmbeddedServices.over(channel, config.build());
        info = new ConnectionInfo(Uuid7.next(), "alice", Map.of("sub", "alice"), null,
                Instant.now().truncatedTo(ChronoUnit.MILLIS), format);
        handler = SessionHandler.install(channel.pipeline(), services.sessions(), info, TOKEN_EXPIRES);
        handler.start();
    }

    /** {@link #connect()}, then takes the {@code server_ready} frame and the {@code Connected} event. */
    private void connected() {
        connect();
        json(next(TextWebSocketFrame.class));
        assertThat(services.drain()).hasSize(1);
    }

    /** The next outbound frame, which must be a {@code type}; the caller releases it. */
    private <T extends WebSocketFrame> T next(Class<T> type) {
        Object frame = channel.readOutbound();
        assertThat(frame).isInstanceOf(type);
        return type.cast(frame);
    }

    /** The frame's content as JSON; releases the frame. */
    private static JsonNode json(WebSocketFrame frame) {
        try {
            return JSON.readTree(ByteBufUtil.getBytes(frame.content()));
        } catch (IOException e) {
            throw new AssertionError("not JSON", e);
        } finally {
            frame.release();
        }
    }

    /** The frame's content decoded by the protocol's codec, as a client would; releases the frame. */
    private Envelope decode(BinaryWebSocketFrame frame) {
        try {
            return new FrameCodec(services.config().decodeLimits()).decode(frame.content(), false);
        } catch (ProtocolException e) {
            throw new AssertionError("undecodable frame", e);
        } finally {
            frame.release();
        }
    }

    /** The first two bytes of the frame: its prefix, if it has one. */
    private static String prefix(WebSocketFrame frame) {
        return frame.content().toString(0, 2, StandardCharsets.US_ASCII);
    }

    /** A text frame from the client, followed by the end of the read batch. */
    private void receiveText(String text) {
        channel.writeInbound(new TextWebSocketFrame(text));
    }

    /** The one event handed to the application since the last look, which must be {@code Disconnected}. */
    private InboundEvent.Disconnected disconnected() {
        List<InboundEvent> events = services.drain();
        assertThat(events).singleElement().isInstanceOf(InboundEvent.Disconnected.class);
        return (InboundEvent.Disconnected) events.get(0);
    }

    @Test
    void serverReadyIsTheFirstFrame() {
        connect();

        JsonNode ready = json(next(TextWebSocketFrame.class));

        assertThat(ready.path("c").asText()).isEqualTo("WSE");
        assertThat(ready.path("t").asText()).isEqualTo("server_ready");
        assertThat(ready.path("seq").asLong()).isEqualTo(1);
        assertThat(ready.path("v").asInt()).isEqualTo(1);
        JsonNode details = ready.path("p").path("details");
        assertThat(details.path("connection_id").asText()).isEqualTo(info.id().toString());
        assertThat(details.path("user_id").asText()).isEqualTo("alice");
        assertThat(details.path("version").asInt()).isEqualTo(1);
        assertThat(details.path("server_time").asText()).isEqualTo(Timestamps.format(info.connectedAt()));
        assertThat(details.path("features").path("compression").asBoolean()).isTrue();
        assertThat(details.path("features").path("msgpack").asBoolean()).isTrue();
        assertThat(details.path("features").path("encryption").asBoolean()).isFalse();
        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void startRegistersTheConnectionAndTellsTheApplication() {
        connect();
        next(TextWebSocketFrame.class).release();

        assertThat(services.drain()).containsExactly(new InboundEvent.Connected(info));
        assertThat(services.registry().get(info.id())).isSameAs(handler.session());
        assertThat(services.registry().ofUser("alice")).containsExactly(handler.session());
        assertThat(services.stats().connectionsAccepted.sum()).isEqualTo(1);
        assertThat(services.stats().connectionsActive.get()).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void startOnAClosedConnectionDoesNothing() {
        ServerConfig config = TestServers.config().build();
        services = EmbeddedServices.over(channel, config);
        info = new ConnectionInfo(Uuid7.next(), "alice", Map.of(), null, Instant.now(), WireFormat.JSON);
        handler = SessionHandler.install(channel.pipeline(), services.sessions(), info, null);
        channel.close();

        handler.start();

        assertThat(services.registry().size()).isZero();
        assertThat(services.drain()).as("neither Connected nor Disconnected").isEmpty();
        assertThat(services.stats().connectionsAccepted.sum()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void clientPingIsAnsweredWithPongCarryingTheTimestampAndCid() {
        connected();

        receiveText("{\"t\":\"ping\",\"p\":{\"timestamp\":5},\"cid\":\"x\"}");

        JsonNode pong = json(next(TextWebSocketFrame.class));
        assertThat(pong.path("c").asText()).isEqualTo("WSE");
        assertThat(pong.path("t").asText()).isEqualTo("PONG");
        assertThat(pong.path("p").path("client_timestamp").asLong()).isEqualTo(5);
        assertThat(pong.path("p").path("server_timestamp").asLong()).isPositive();
        assertThat(pong.path("cid").asText()).isEqualTo("x");
        assertThat(pong.path("seq").asLong()).isEqualTo(2);
        assertThat(services.drain()).as("answered by the server, not the application").isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void repliesAreFlushedWhenTheReadBatchCompletes() {
        connected();

        channel.pipeline().fireChannelRead(new TextWebSocketFrame("{\"t\":\"ping\",\"p\":{}}"));
        assertThat(channel.outboundMessages()).as("written, not yet flushed").isEmpty();
        channel.pipeline().fireChannelReadComplete();

        assertThat(json(next(TextWebSocketFrame.class)).path("t").asText()).isEqualTo("PONG");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void clientPongIsOnlyActivity() {
        connected();

        receiveText("{\"t\":\"pong\",\"p\":{\"server_timestamp\":1}}");

        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(services.drain()).isEmpty();
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void clientHelloIsAnsweredWithTheNegotiatedServerHello() {
        connected();

        receiveText("{\"t\":\"client_hello\",\"p\":{\"client_version\":\"t/1\",\"protocol_version\":5,"
                + "\"features\":{\"compression\":true,\"msgpack\":false,\"encryption\":true,"
                + "\"batch_messages\":true}}}");

        JsonNode hello = json(next(TextWebSocketFrame.class));
        assertThat(hello.path("t").asText()).isEqualTo("server_hello");
        JsonNode p = hello.path("p");
        assertThat(p.path("server_version").asText()).isEqualTo(EmbeddedServices.SERVER_VERSION);
        assertThat(p.path("protocol_version").asInt()).as("the lower of both").isEqualTo(1);
        assertThat(p.path("features").path("compression").asBoolean()).isTrue();
        assertThat(p.path("features").path("msgpack").asBoolean()).as("not asked for").isFalse();
        assertThat(p.path("features").path("encryption").asBoolean()).as("not offered").isFalse();
        assertThat(p.path("features").path("batch_messages").asBoolean()).as("not offered").isFalse();
        assertThat(p.path("limits").path("max_message_size").asInt()).isEqualTo(ServerConfig.DEFAULT_MAX_MESSAGE_BYTES);
        assertThat(p.path("ping_interval").asLong()).isEqualTo(ServerConfig.DEFAULT_PING_INTERVAL.toMillis());
        assertThat(p.path("connection_id").asText()).isEqualTo(info.id().toString());
        assertThat(p.path("token_expires_at").asText()).isEqualTo("2030-01-02T03:04:05.678Z");
        assertThat(p.has("encryption_public_key")).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void clientHelloWithProtocolVersion0IsInvalid() {
        connected();

        receiveText("{\"t\":\"client_hello\",\"p\":{\"protocol_version\":0},\"cid\":\"h0\"}");

        JsonNode error = json(next(TextWebSocketFrame.class));
        assertThat(error.path("t").asText()).isEqualTo("error");
        assertThat(error.path("p").path("code").asText()).isEqualTo("INVALID_MESSAGE");
        assertThat(error.path("cid").asText()).isEqualTo("h0");
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void malformedSystemMessageIsAnsweredWithItsCid() {
        connected();

        receiveText("{\"t\":\"client_hello\",\"p\":{\"client_version\":5},\"cid\":\"h2\"}");

        JsonNode error = json(next(TextWebSocketFrame.class));
        assertThat(error.path("t").asText()).isEqualTo("error");
        assertThat(error.path("p").path("code").asText()).isEqualTo("INVALID_MESSAGE");
        assertThat(error.path("cid").asText()).isEqualTo("h2");
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void applicationMessageReachesTheApplicationWithItsRawBytes() {
        connected();
        String text = "{\"t\":\"chat\",\"p\":{\"text\":\"hi\"},\"cid\":\"c1\"}";

        receiveText(text);

        List<InboundEvent> events = services.drain();
        assertThat(events).singleElement().isInstanceOf(InboundEvent.Message.class);
        InboundEvent.Message message = (InboundEvent.Message) events.get(0);
        assertThat(message.connection()).isEqualTo(info);
        assertThat(message.raw()).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
        assertThat(message.envelope().type()).isEqualTo("chat");
        assertThat(message.envelope().payload().path("text").asText()).isEqualTo("hi");
        assertThat(message.envelope().correlationId()).isEqualTo("c1");
        assertThat(services.stats().messagesIn.sum()).isEqualTo(1);
        assertThat(services.stats().bytesIn.sum()).isEqualTo(text.length());
        assertThat(channel.outboundMessages()).as("no reply").isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void msgpackMessageInABinaryFrameReachesTheApplication() {
        connected();
        Envelope sent = Envelope.of("chat", Envelope.newPayload().put("text", "hi"));
        ByteBuf bytes = services.sessions().codec().encode(ByteBufAllocator.DEFAULT, sent, WireFormat.MSGPACK);
        byte[] raw = ByteBufUtil.getBytes(bytes);

        channel.writeInbound(new BinaryWebSocketFrame(bytes));

        InboundEvent.Message message = (InboundEvent.Message) services.drain().get(0);
        assertThat(message.raw()).as("prefix included").isEqualTo(raw).startsWith((byte) 'M', (byte) ':');
        assertThat(message.envelope().payload().path("text").asText()).isEqualTo("hi");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void malformedJsonIsAnsweredWithInvalidMessageAndTheConnectionStays() {
        connected();

        receiveText("{\"t\":");

        JsonNode error = json(next(TextWebSocketFrame.class));
        assertThat(error.path("t").asText()).isEqualTo("error");
        assertThat(error.path("p").path("code").asText()).isEqualTo("INVALID_MESSAGE");
        assertThat(error.path("p").path("recoverable").asBoolean()).isFalse();
        assertThat(channel.isOpen()).isTrue();
        assertThat(services.drain()).isEmpty();
        assertThat(services.stats().protocolErrors.get("INVALID_MESSAGE")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void tooDeeplyNestedMessageIsAnsweredThenClosedWith1009() {
        connected();

        receiveText("{\"t\":\"deep\",\"p\":{\"a\":" + "[".repeat(65) + "]".repeat(65) + "}}");

        JsonNode error = json(next(TextWebSocketFrame.class));
        assertThat(error.path("p").path("code").asText()).isEqualTo("MESSAGE_TOO_LARGE");
        CloseWebSocketFrame close = next(CloseWebSocketFrame.class);
        assertThat(close.statusCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        close.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(disconnected().closeCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        assertThat(services.stats().protocolErrors.get("MESSAGE_TOO_LARGE")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void messageOverTheLimitAcrossFragmentsClosesWith1009() {
        connect(c -> c.maxMessageBytes(1024), WireFormat.JSON);
        next(TextWebSocketFrame.class).release();

        channel.writeInbound(new TextWebSocketFrame(false, 0, Unpooled.copiedBuffer("x".repeat(600),
                StandardCharsets.UTF_8)));
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, Unpooled.copiedBuffer("x".repeat(600),
                StandardCharsets.UTF_8)));

        CloseWebSocketFrame close = next(CloseWebSocketFrame.class);
        assertThat(close.statusCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        assertThat(close.reasonText()).isEqualTo("message too big");
        close.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void invalidUtf8InATextFrameClosesWith1007() {
        connected();

        channel.writeInbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {'{', (byte) 0xC3, 0x28, '}'})));

        CloseWebSocketFrame close = next(CloseWebSocketFrame.class);
        assertThat(close.statusCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
        close.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(disconnected().closeCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
        assertThat(services.stats().protocolErrors.get("FRAME_1007")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void webSocketPingIsAnsweredWithAPongOfTheSameContent() {
        connected();

        channel.writeInbound(new PingWebSocketFrame(Unpooled.copiedBuffer("hi", StandardCharsets.UTF_8)));

        PongWebSocketFrame pong = next(PongWebSocketFrame.class);
        assertThat(pong.content().toString(StandardCharsets.UTF_8)).isEqualTo("hi");
        pong.release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void clientCloseIsEchoedAndEndsTheConnection() {
        connected();

        channel.writeInbound(new CloseWebSocketFrame(4000, "bye"));

        CloseWebSocketFrame echo = next(CloseWebSocketFrame.class);
        assertThat(echo.statusCode()).isEqualTo(4000);
        echo.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(disconnected()).isEqualTo(new InboundEvent.Disconnected(info, 4000, "bye"));
        assertThat(services.registry().size()).isZero();
        assertThat(services.registry().ofUser("alice")).isEmpty();
        assertThat(services.stats().connectionsActive.get()).isZero();
        assertThat(services.stats().disconnects.get(CloseCodes.name(4000))).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void clientCloseWithoutAStatusIsAnsweredWithAnEmptyClose() {
        connected();

        channel.writeInbound(new CloseWebSocketFrame(true, 0, Unpooled.EMPTY_BUFFER));

        CloseWebSocketFrame echo = next(CloseWebSocketFrame.class);
        assertThat(echo.content().isReadable()).isFalse();
        echo.release();
        assertThat(disconnected()).isEqualTo(new InboundEvent.Disconnected(info, 1005, ""));
        assertThat(services.stats().disconnects.get("no_status")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void serverCloseSendsTheCodeAndReportsIt() {
        connected();

        handler.session().close(CloseCodes.DRAINING, "drain");

        CloseWebSocketFrame close = next(CloseWebSocketFrame.class);
        assertThat(close.statusCode()).isEqualTo(CloseCodes.DRAINING);
        assertThat(close.reasonText()).isEqualTo("drain");
        close.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(disconnected()).isEqualTo(new InboundEvent.Disconnected(info, CloseCodes.DRAINING, "drain"));
        assertThat(services.stats().disconnects.get("draining")).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void secondServerCloseIsIgnored() {
        connected();

        handler.session().close(CloseCodes.DRAINING, "drain");
        handler.session().close(CloseCodes.GOING_AWAY, "again");

        next(CloseWebSocketFrame.class).release();
        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(disconnected().closeCode()).isEqualTo(CloseCodes.DRAINING);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void droppedConnectionIsReportedAs1006() {
        connected();

        channel.close();

        assertThat(disconnected()).isEqualTo(new InboundEvent.Disconnected(info, 1006, ""));
        assertThat(services.stats().disconnects.get("abnormal")).isEqualTo(1);
        assertThat(services.registry().size()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void messageRefusedByAFullQueueIsAnsweredWithARecoverableServerError() {
        // The Connected event fills the queue.
        connect(c -> c.drain(new DrainConfig(1, 0, 1)), WireFormat.JSON);
        next(TextWebSocketFrame.class).release();

        receiveText("{\"t\":\"chat\",\"p\":{},\"cid\":\"c2\"}");

        JsonNode error = json(next(TextWebSocketFrame.class));
        assertThat(error.path("t").asText()).isEqualTo("error");
        assertThat(error.path("p").path("code").asText()).isEqualTo("SERVER_ERROR");
        assertThat(error.path("p").path("recoverable").asBoolean()).isTrue();
        assertThat(error.path("p").path("retry_after").asDouble()).isPositive();
        assertThat(error.path("cid").asText()).isEqualTo("c2");
        assertThat(services.drain()).singleElement().isInstanceOf(InboundEvent.Connected.class);
        assertThat(services.stats().eventsRejected.sum()).isEqualTo(1);
        assertThat(services.stats().protocolErrors.get("SERVER_ERROR")).isEqualTo(1);
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void msgpackConnectionGetsMsgpackBinaryFrames() {
        connect(c -> { }, WireFormat.MSGPACK);

        BinaryWebSocketFrame frame = next(BinaryWebSocketFrame.class);

        assertThat(prefix(frame)).isEqualTo("M:");
        Envelope ready = decode(frame);
        assertThat(ready.type()).isEqualTo("server_ready");
        assertThat(ready.seq()).isEqualTo(1);
        assertThat(ready.payload().path("details").path("user_id").asText()).isEqualTo("alice");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void negotiatedCompressionCompressesMessagesAboveTheThreshold() {
        connected();
        receiveText("{\"t\":\"client_hello\",\"p\":{\"features\":{\"compression\":true}}}");
        json(next(TextWebSocketFrame.class));
        Envelope big = Envelope.of("big", Envelope.newPayload().put("data", "x".repeat(2000)));

        handler.session().send(new ApplicationMessage(big));

        BinaryWebSocketFrame frame = next(BinaryWebSocketFrame.class);
        assertThat(prefix(frame)).isEqualTo("C:");
        assertThat(frame.content().readableBytes()).isLessThan(2000);
        Envelope inflated = decode(frame);
        assertThat(inflated.type()).isEqualTo("big");
        assertThat(inflated.payload()).isEqualTo(big.payload());
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void withoutNegotiationLargeMessagesStayUncompressedText() {
        connected();
        Envelope big = Envelope.of("big", Envelope.newPayload().put("data", "x".repeat(2000)));

        handler.session().send(new ApplicationMessage(big));

        assertThat(json(next(TextWebSocketFrame.class)).path("p").path("data").asText()).hasSize(2000);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void binaryJsonFramesConfigSendsJsonInBinaryFrames() {
        connect(c -> c.jsonFrames(JsonFrames.BINARY), WireFormat.JSON);

        BinaryWebSocketFrame frame = next(BinaryWebSocketFrame.class);

        assertThat(json(frame).path("t").asText()).isEqualTo("server_ready");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void corruptedFrameIsCountedAndLeftToTheDecodersClose() {
        connected();

        channel.pipeline().fireExceptionCaught(
                new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR, "unmasked client frame"));

        assertThat(channel.outboundMessages()).as("the decoder sends the close frame").isEmpty();
        assertThat(services.stats().protocolErrors.get("FRAME_1002")).isEqualTo(1);
        channel.close();
        assertThat(disconnected().closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void ioErrorClosesWithoutACloseFrame() {
        connected();

        channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));

        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(disconnected().closeCode()).isEqualTo(1006);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void unexpectedErrorClosesWith1011() {
        connected();

        channel.pipeline().fireExceptionCaught(new IllegalStateException("a bug (logged on purpose by this test)"));

        CloseWebSocketFrame close = next(CloseWebSocketFrame.class);
        assertThat(close.statusCode()).isEqualTo(CloseCodes.INTERNAL_ERROR);
        close.release();
        assertThat(disconnected().closeCode()).isEqualTo(CloseCodes.INTERNAL_ERROR);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void nonFrameMessagesPassThrough() {
        connected();
        Object other = UUID.randomUUID();

        channel.writeInbound(other);

        assertThat(channel.<Object>readInbound()).isSameAs(other);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void closeReasonIsCutToWhatACloseFrameCarries() {
        String reason = "\u00e9".repeat(100);

        String cut = SessionHandler.closeReason(reason);

        assertThat(cut.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(123);
        assertThat(reason).startsWith(cut);
        assertThat(cut).hasSize(61);
    }
}
