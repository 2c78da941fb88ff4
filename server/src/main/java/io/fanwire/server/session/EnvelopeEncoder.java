package io.fanwire.server.session;

import java.util.List;

import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.codec.WireFormat;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ServerMessage;
import io.fanwire.common.protocol.Timestamps;
import io.fanwire.common.protocol.Uuid7;
import io.fanwire.server.ServerConfig.JsonFrames;
import io.fanwire.server.metrics.ServerStats;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * Encodes a connection's outbound {@link ServerMessage}s into WebSocket frames in its wire format, stamping
 * the server-side {@code id}, {@code ts} and {@code seq}. Runs on the connection's event loop, so the
 * sequence numbers follow the order of the frames on the wire. One per connection.
 */
final class EnvelopeEncoder extends MessageToMessageEncoder<ServerMessage> {

    private final Session session;
    private final FrameCodec codec;
    private final boolean binaryJson;
    private final int compressionThreshold;
    private final ServerStats stats;

    EnvelopeEncoder(Session session, FrameCodec codec, JsonFrames jsonFrames, int compressionThreshold,
                    ServerStats stats) {
        super(ServerMessage.class);
        this.session = session;
        this.codec = codec;
        this.binaryJson = jsonFrames == JsonFrames.BINARY;
        this.compressionThreshold = compressionThreshold;
        this.stats = stats;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ServerMessage msg, List<Object> out) {
        Envelope envelope = msg.toEnvelope();
        String id = envelope.id() != null ? envelope.id() : Uuid7.next().toString();
        String ts = envelope.timestamp() != null ? envelope.timestamp()
                : Timestamps.format(System.currentTimeMillis());
        envelope = envelope.withMeta(id, ts, ++session.seq);

        WireFormat format = session.format();
        ByteBuf bytes = codec.encode(ctx.alloc(), envelope, format);
        stats.messagesOut.increment();
        if (format == WireFormat.MSGPACK) {
            stats.bytesOut.add(bytes.readableBytes());
            out.add(new BinaryWebSocketFrame(bytes));
        } else if (session.compression && compressionThreshold > 0 && bytes.readableBytes() > compressionThreshold) {
            ByteBuf compressed = codec.compress(ctx.alloc(), bytes);
            stats.bytesOut.add(compressed.readableBytes());
            out.add(new BinaryWebSocketFrame(compressed));
        } else {
            stats.bytesOut.add(bytes.readableBytes());
            out.add(binaryJson ? new BinaryWebSocketFrame(bytes) : new TextWebSocketFrame(bytes));
        }
    }
}
