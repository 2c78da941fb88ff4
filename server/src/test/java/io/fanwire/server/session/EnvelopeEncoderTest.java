package io.fanwire.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.common.codec.DecodeLimits;
import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.codec.WireFormat;
import io.fanwire.common.protocol.ApplicationMessage;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ProtocolException;
import io.fanwire.common.protocol.ServerMessage;
import io.fanwire.common.protocol.ServerMessage.ServerPing;
import io.fanwire.server.ServerConfig.JsonFrames;
import io.fanwire.server.drain.ConnectionInfo;
import io.fanwire.server.metrics.ServerStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/** Outbound protocol messages into frames: the stamped metadata, the frame type, compression and counters. */
class EnvelopeEncoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int THRESHOLD = 256;

    private final FrameCodec codec = new FrameCodec(DecodeLimits.DEFAULT);
    private final ServerStats stats = new ServerStats();
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private Session session;

    private void encoder(WireFormat format, JsonFrames jsonFrames, int compressionThreshold) {
        ConnectionInfo info = new ConnectionInfo(UUID.randomUUID(), "alice", Map.of(), null, Instant.now(), format);
        session = new Session(info, channel, null);
        boolean binaryJson = jsonFrames == JsonFrames.BINARY;
        // The session handler's write, without the rest of the session handler.
        channel.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                EnvelopeEncoder.write(ctx, msg, promise, session, codec, binaryJson, compressionThreshold, stats);
            }
        });
    }

    private void jsonEncoder() {
        encoder(WireFormat.JSON, JsonFrames.TEXT, THRESHOLD);
    }

    private <T extends WebSocketFrame> T write(Object message, Class<T> type) {
        assertThat(channel.writeOutbound(message)).isTrue();
        Object frame = channel.readOutbound();
        assertThat(frame).isInstanceOf(type);
        return type.cast(frame);
    }

    private JsonNode writeJson(ServerMessage message) {
        TextWebSocketFrame frame = write(message, TextWebSocketFrame.class);
        try {
            return JSON.readTree(ByteBufUtil.getBytes(frame.content()));
        } catch (IOException e) {
            throw new AssertionError("not JSON", e);
        } finally {
            frame.release();
        }
    }

    private Envelope decode(WebSocketFrame frame) {
        try {
            return codec.decode(frame.content(), frame instanceof TextWebSocketFrame);
        } catch (ProtocolException e) {
            throw new AssertionError("undecodable frame", e);
        } finally {
            frame.release();
        }
    }

    private static ApplicationMessage message(int dataChars) {
        return new ApplicationMessage(Envelope.of("data", Envelope.newPayload().put("d", "x".repeat(dataChars))));
    }

    /** The size of {@code message} in JSON, as the encoder measures it against the threshold. */
    private int jsonSize(ServerMessage message) {
        ByteBuf bytes = codec.encode(channel.alloc(), message.toEnvelope().withMeta(UUID.randomUUID().toString(),
                "2030-01-01T00:00:00.000Z", 1), WireFormat.JSON);
        try {
            return bytes.readableBytes();
        } finally {
            bytes.release();
        }
    }

    @Test
    void seqCountsEveryMessageOfTheConnection() {
        jsonEncoder();

        assertThat(writeJson(new ServerPing(1)).path("seq").asLong()).isEqualTo(1);
        assertThat(writeJson(new ServerPing(2)).path("seq").asLong()).isEqualTo(2);
        assertThat(writeJson(message(1)).path("seq").asLong()).isEqualTo(3);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void idIsAUuidV7() {
        jsonEncoder();

        UUID id = UUID.fromString(writeJson(new ServerPing(1)).path("id").asText());

        assertThat(id.version()).isEqualTo(7);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void idsDifferPerMessage() {
        jsonEncoder();

        String first = writeJson(new ServerPing(1)).path("id").asText();
        String second = writeJson(new ServerPing(1)).path("id").asText();

        assertThat(first).isNotEqualTo(second);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void tsIsIsoUtcWithMilliseconds() {
        jsonEncoder();

        String ts = writeJson(new ServerPing(1)).path("ts").asText();

        assertThat(ts).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
        assertThat(Instant.parse(ts)).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void applicationMessageKeepsItsOwnIdTsAndCid() {
        jsonEncoder();
        Envelope own = Envelope.of("chat", Envelope.newPayload())
                .withMeta("app-id-1", "2020-01-01T00:00:00.000Z", Envelope.NO_SEQ)
                .withCorrelationId("c9");

        JsonNode json = writeJson(new ApplicationMessage(own));

        assertThat(json.path("id").asText()).isEqualTo("app-id-1");
        assertThat(json.path("ts").asText()).isEqualTo("2020-01-01T00:00:00.000Z");
        assertThat(json.path("cid").asText()).isEqualTo("c9");
        assertThat(json.path("seq").asLong()).as("seq is always the connection's").isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void countsMessagesAndBytesOut() {
        jsonEncoder();

        TextWebSocketFrame frame = write(new ServerPing(1), TextWebSocketFrame.class);
        int bytes = frame.content().readableBytes();
        frame.release();

        assertThat(stats.messagesOut.sum()).isEqualTo(1);
        assertThat(stats.bytesOut.sum()).isEqualTo(bytes);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void jsonGoesOutInTextFramesByDefault() {
        jsonEncoder();

        TextWebSocketFrame frame = write(new ServerPing(7), TextWebSocketFrame.class);

        assertThat(frame.content().toString(StandardCharsets.UTF_8)).startsWith("{");
        assertThat(decode(frame).payload().path("server_time").asLong()).isEqualTo(7);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void binaryJsonFramesCarryTheSameJson() {
        encoder(WireFormat.JSON, JsonFrames.BINARY, THRESHOLD);

        BinaryWebSocketFrame frame = write(new ServerPing(7), BinaryWebSocketFrame.class);

        assertThat(frame.content().toString(StandardCharsets.UTF_8)).startsWith("{");
        assertThat(decode(frame).payload().path("server_time").asLong()).isEqualTo(7);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void msgpackConnectionsGetPrefixedBinaryFrames() {
        encoder(WireFormat.MSGPACK, JsonFrames.TEXT, THRESHOLD);

        BinaryWebSocketFrame frame = write(new ServerPing(7), BinaryWebSocketFrame.class);

        assertThat(frame.content().toString(0, 2, StandardCharsets.US_ASCII)).isEqualTo("M:");
        Envelope envelope = decode(frame);
        assertThat(envelope.payload().path("server_time").asLong()).isEqualTo(7);
        assertThat(envelope.seq()).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void msgpackIsNeverCompressed() {
        encoder(WireFormat.MSGPACK, JsonFrames.TEXT, THRESHOLD);
        session.compression = true;

        BinaryWebSocketFrame frame = write(message(THRESHOLD * 4), BinaryWebSocketFrame.class);

        assertThat(frame.content().toString(0, 2, StandardCharsets.US_ASCII)).isEqualTo("M:");
        frame.release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void jsonAboveTheThresholdIsCompressedWhenTheClientAskedForIt() {
        jsonEncoder();
        session.compression = true;
        ApplicationMessage big = message(THRESHOLD * 4);

        BinaryWebSocketFrame frame = write(big, BinaryWebSocketFrame.class);

        assertThat(frame.content().toString(0, 2, StandardCharsets.US_ASCII)).isEqualTo("C:");
        int compressed = frame.content().readableBytes();
        assertThat(decode(frame).payload()).isEqualTo(big.envelope().payload());
        assertThat(stats.bytesOut.sum()).as("the compressed size").isEqualTo(compressed);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void jsonAtTheThresholdIsNotCompressed() {
        jsonEncoder();
        session.compression = true;
        int overhead = jsonSize(message(0));
        ApplicationMessage exactly = message(THRESHOLD - overhead);
        assertThat(jsonSize(exactly)).isEqualTo(THRESHOLD);

        TextWebSocketFrame frame = write(exactly, TextWebSocketFrame.class);

        assertThat(frame.content().readableBytes()).isEqualTo(THRESHOLD);
        frame.release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void jsonAboveTheThresholdIsNotCompressedWhenTheClientDidNotAsk() {
        jsonEncoder();

        write(message(THRESHOLD * 4), TextWebSocketFrame.class).release();

        assertThat(channel.finish()).isFalse();
    }

    @Test
    void thresholdZeroSwitchesCompressionOff() {
        encoder(WireFormat.JSON, JsonFrames.TEXT, 0);
        session.compression = true;

        write(message(THRESHOLD * 4), TextWebSocketFrame.class).release();

        assertThat(channel.finish()).isFalse();
    }

    @Test
    void otherOutboundMessagesPassThrough() {
        jsonEncoder();
        TextWebSocketFrame raw = new TextWebSocketFrame("as is");

        assertThat(write(raw, TextWebSocketFrame.class)).isSameAs(raw);

        raw.release();
        assertThat(session.seq).isZero();
        assertThat(channel.finish()).isFalse();
    }
}
