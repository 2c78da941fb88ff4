package io.fanwire.microbench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.fanwire.common.codec.DecodeLimits;
import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.codec.WireFormat;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * {@link FrameCodec#decode} and {@link FrameCodec#encode} of one message, JSON (text frame) and
 * {@code M:} + msgpack (binary frame), as a connection's event loop runs them.
 *
 * <p>The input of {@code decode} is a direct buffer from the server's allocator, as a socket read delivers
 * it, so the codec's copy into its per-thread array is part of the cost. {@code encode} allocates from the
 * same allocator and releases the result. Threads are Netty {@code FastThreadLocalThread}s (see
 * {@link EventLoopLikeExecutor}), so the codec's thread-local scratch arrays and the allocator's thread
 * caches behave as on an event loop.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {EventLoopLikeExecutor.JMH_EXECUTOR, EventLoopLikeExecutor.JMH_EXECUTOR_CLASS})
public class EnvelopeCodecBenchmark {

    /** {@code chat}: a client's 100-byte chat message; {@code snapshot}: a 983-byte (JSON) structured payload. */
    @Param({"chat", "snapshot"})
    public String message;

    @Param({"JSON", "MSGPACK"})
    public WireFormat format;

    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private FrameCodec codec;
    private Envelope envelope;
    private ByteBuf wire;
    private boolean text;

    @Setup(Level.Trial)
    public void setUp() throws ProtocolException {
        EventLoopLikeExecutor.requireFastThreadLocalThread();
        codec = new FrameCodec(DecodeLimits.DEFAULT);
        envelope = switch (message) {
            case "chat" -> SampleMessages.chat();
            case "snapshot" -> SampleMessages.snapshot();
            default -> throw new IllegalArgumentException("message: " + message + " (expected: chat or snapshot)");
        };
        text = format == WireFormat.JSON;
        ByteBuf encoded = codec.encode(alloc, envelope, format);
        try {
            wire = alloc.directBuffer(encoded.readableBytes()).writeBytes(encoded);
        } finally {
            encoded.release();
        }
        // A codec that lost or changed something would make the numbers meaningless.
        ByteBuf again = codec.encode(alloc, codec.decode(wire, text), format);
        try {
            if (!ByteBufUtil.equals(again, wire)) {
                throw new IllegalStateException(message + " does not survive a " + format + " round trip");
            }
        } finally {
            again.release();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        wire.release();
    }

    @Benchmark
    public Envelope decode() throws ProtocolException {
        return codec.decode(wire, text);
    }

    @Benchmark
    public int encode() {
        ByteBuf buf = codec.encode(alloc, envelope, format);
        try {
            return buf.readableBytes();
        } finally {
            buf.release();
        }
    }
}
