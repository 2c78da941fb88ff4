package io.fanwire.server.session;

import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.codec.WireFormat;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ServerMessage;
import io.fanwire.common.protocol.Timestamps;
import io.fanwire.common.protocol.Uuid7;
import io.fanwire.server.metrics.ServerStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * Encodes a connection's outbound {@link ServerMessage}s into WebSocket frames in its wire format, stamping
 * the server-side {@code id}, {@code ts} and {@code seq}. Called by {@link SessionHandler#write} on the
 * connection's event loop, so the sequence numbers follow the order of the frames on the wire. No state of its
 * own: the session handler does the encoding itself rather than keep a handler (and its pipeline context) per
 * connection for it.
 */
final class EnvelopeEncoder {

    private EnvelopeEncoder() {
    }

    /**
     * The outbound write of a connection's pipeline: a {@link ServerMessage} goes on encoded
     * ({@link #encode}); frames and bytes go on as they are.
     */
    static void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise, Session session,
                      FrameCodec codec, boolean binaryJson, int compressionThreshold, ServerStats stats) {
        if (msg instanceof ServerMessage message) {
            WebSocketFrame frame;
            try {
                frame = encode(ctx.alloc(), session, message, codec, binaryJson, compressionThreshold, stats);
            } catch (RuntimeException e) {
                throw new EncoderException(e);
            }
            ctx.write(frame, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    /**
     * The frame of {@code msg} for {@code session}.
     *
     * @param binaryJson           whether JSON goes out in binary frames ({@code websocket.json_frames=binary})
     * @param compressionThreshold JSON above this many bytes goes out compressed when the client asked for it
     */
    static WebSocketFrame encode(ByteBufAllocator alloc, Session session, ServerMessage msg, FrameCodec codec,
                                 boolean binaryJson, int compressionThreshold, ServerStats stats) {
        Envelope envelope = msg.toEnvelope();
        String id = envelope.id() != null ? envelope.id() : Uuid7.next().toString();
        String ts = envelope.timestamp() != null ? envelope.timestamp()
                : Timestamps.format(System.currentTimeMillis());
        envelope = envelope.withMeta(id, ts, ++session.seq);

        WireFormat format = session.format();
        ByteBuf bytes = codec.encode(alloc, envelope, format);
        stats.messagesOut.increment();
        if (format == WireFormat.MSGPACK) {
            stats.bytesOut.add(bytes.readableBytes());
            return new BinaryWebSocketFrame(bytes);
        } else if (session.compression && compressionThreshold > 0 && bytes.readableBytes() > compressionThreshold) {
            ByteBuf compressed = codec.compress(alloc, bytes);
            stats.bytesOut.add(compressed.readableBytes());
            return new BinaryWebSocketFrame(compressed);
        } else {
            stats.bytesOut.add(bytes.readableBytes());
            return binaryJson ? new BinaryWebSocketFrame(bytes) : new TextWebSocketFrame(bytes);
        }
    }
}
