package io.fanwire.bench.client;

import java.util.Objects;

import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.codec.WireFormat;
import io.fanwire.common.protocol.Envelope;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * One open bench connection. Sends are meant to be made on {@link #eventLoop()}; they encode with the
 * connection's format and write without flushing unless asked, so a caller can batch.
 */
public final class BenchConnection {

    private final int index;
    private final Channel channel;
    private final FrameCodec codec;
    private final WireFormat format;
    private final boolean compress;
    private final long connectStartNanos;
    volatile long readyNanos;
    volatile String connectionId;
    volatile String userId;
    private volatile ConnectionListener listener;
    /** Frames the client sent on its own (PONGs to server pings, client_hello), which servers count as messages. */
    long protocolFramesSent;
    /** Set by the owner of the connection's work; opaque to the client. */
    private volatile Object attachment;

    BenchConnection(int index, Channel channel, FrameCodec codec, WireFormat format, boolean compress,
                    long connectStartNanos, ConnectionListener listener) {
        this.index = index;
        this.channel = channel;
        this.codec = codec;
        this.format = format;
        this.compress = compress;
        this.connectStartNanos = connectStartNanos;
        this.listener = listener;
    }

    /** The connection's index in its run (it picks the user, the source address and the pacing phase). */
    public int index() {
        return index;
    }

    public Channel channel() {
        return channel;
    }

    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** {@link System#nanoTime()} when the TCP connect began. */
    public long connectStartNanos() {
        return connectStartNanos;
    }

    /** {@link System#nanoTime()} when the connection became ready ({@code server_ready}, or the upgrade in raw mode). */
    public long readyNanos() {
        return readyNanos;
    }

    /** The server's connection id from {@code server_ready}, or {@code null}. */
    public String connectionId() {
        return connectionId;
    }

    /** The user id from {@code server_ready}, or {@code null}. */
    public String userId() {
        return userId;
    }

    public boolean isActive() {
        return channel.isActive();
    }

    public boolean isWritable() {
        return channel.isWritable();
    }

    /** Frames the client sent by itself (PONG answers, client_hello); read on the event loop or after close. */
    public long protocolFramesSent() {
        return protocolFramesSent;
    }

    public ConnectionListener listener() {
        return listener;
    }

    /** Hands the connection's events to {@code listener} from now on. */
    public void listener(ConnectionListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @SuppressWarnings("unchecked")
    public <T> T attachment() {
        return (T) attachment;
    }

    public void attach(Object attachment) {
        this.attachment = attachment;
    }

    /** Encodes {@code message} in the connection's format (compressed above the threshold when asked) and writes it. */
    public ChannelFuture send(Envelope message, boolean flush) {
        WebSocketFrame frame;
        if (format == WireFormat.MSGPACK) {
            frame = new BinaryWebSocketFrame(codec.encode(channel.alloc(), message, WireFormat.MSGPACK));
        } else {
            ByteBuf json = codec.encode(channel.alloc(), message, WireFormat.JSON);
            if (compress && json.readableBytes() > FrameCodec.DEFAULT_COMPRESSION_THRESHOLD) {
                frame = new BinaryWebSocketFrame(codec.compress(channel.alloc(), json));
            } else {
                frame = new TextWebSocketFrame(json);
            }
        }
        return write(frame, flush);
    }

    /**
     * Writes pre-encoded bytes (the caller gives up one reference: pass {@code retainedDuplicate()} of a shared
     * buffer): a text frame when {@code text}, else a binary frame.
     */
    public ChannelFuture sendEncoded(ByteBuf encoded, boolean text, boolean flush) {
        return write(text ? new TextWebSocketFrame(encoded) : new BinaryWebSocketFrame(encoded), flush);
    }

    /** Encodes {@code message} for this connection's format without sending it; the caller owns the result. */
    public ByteBuf encode(Envelope message) {
        return codec.encode(channel.alloc(), message, format);
    }

    /** Whether frames of this connection's format go as text. */
    public boolean textFrames() {
        return format == WireFormat.JSON;
    }

    private ChannelFuture write(WebSocketFrame frame, boolean flush) {
        return flush ? channel.writeAndFlush(frame, channel.voidPromise()) : channel.write(frame, channel.voidPromise());
    }

    public void flush() {
        channel.flush();
    }

    /** Starts a clean close (close frame 1000); the server answers and ends the TCP connection. */
    public ChannelFuture close() {
        if (!channel.isActive()) {
            return channel.closeFuture();
        }
        channel.writeAndFlush(new CloseWebSocketFrame(1000, "bench done"));
        return channel.closeFuture();
    }

    @Override
    public String toString() {
        return "BenchConnection[" + index + ", " + channel + "]";
    }
}
