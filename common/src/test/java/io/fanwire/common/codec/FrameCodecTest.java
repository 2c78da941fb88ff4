package io.fanwire.common.codec;

import static io.fanwire.common.codec.Buffers.assertInvalid;
import static io.fanwire.common.codec.Buffers.assertTooLarge;
import static io.fanwire.common.codec.Buffers.concat;
import static io.fanwire.common.codec.Buffers.decode;
import static io.fanwire.common.codec.Buffers.drain;
import static io.fanwire.common.codec.Buffers.utf8;
import static io.fanwire.common.codec.Buffers.zlib;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.Deflater;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;

class FrameCodecTest {

    private static final String JSON = "{\"t\":\"chat\",\"p\":{\"text\":\"hi\"}}";

    private final FrameCodec codec = new FrameCodec(DecodeLimits.DEFAULT);

    private static Envelope chat() {
        return new Envelope(null, null, Envelope.NO_OFFSET, null, "chat", Envelope.newPayload().put("text", "hi"),
                null, null, Envelope.NO_SEQ, null, null, null, Envelope.NO_VERSION);
    }

    private byte[] msgpack(Envelope envelope) {
        return codec.msgpack().encodeToBytes(envelope);
    }

    // --- prefixes ----------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Buffers.Memory.class)
    void decodesJsonInTextAndBinaryFrames(Buffers.Memory memory) throws ProtocolException {
        assertThat(decode(codec, utf8(JSON), true, memory)).isEqualTo(chat());
        assertThat(decode(codec, utf8(JSON), false, memory)).isEqualTo(chat());
    }

    @ParameterizedTest
    @ValueSource(strings = {"WSE", "S", "U"})
    void stripsLegacyPrefixesInTextAndBinaryFrames(String prefix) throws ProtocolException {
        for (Buffers.Memory memory : Buffers.Memory.values()) {
            assertThat(decode(codec, utf8(prefix + JSON), true, memory)).isEqualTo(chat());
            assertThat(decode(codec, utf8(prefix + JSON), false, memory)).isEqualTo(chat());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"WSE", "WS{", "X{", "SS{", "wse{", "S {", "{{"})
    void rejectsAnythingElseBeforeTheObject(String prefix) {
        assertInvalid(() -> decode(codec, utf8(prefix + JSON.substring(1)), true, Buffers.Memory.POOLED_DIRECT));
    }

    @ParameterizedTest
    @EnumSource(Buffers.Memory.class)
    void decodesMsgpackBehindItsPrefix(Buffers.Memory memory) throws ProtocolException {
        byte[] frame = concat(utf8("M:"), msgpack(chat()));

        assertThat(decode(codec, frame, false, memory)).isEqualTo(chat());
    }

    @Test
    void treatsTextFramesAsJsonOnly() {
        byte[] msgpackFrame = concat(utf8("M:"), msgpack(chat()));
        byte[] compressedFrame = concat(utf8("C:"), zlib(utf8(JSON)));

        assertInvalid(() -> decode(codec, msgpackFrame, true, Buffers.Memory.UNPOOLED_HEAP));
        assertInvalid(() -> decode(codec, compressedFrame, true, Buffers.Memory.UNPOOLED_HEAP));
    }

    @Test
    void rejectsEmptyAndMisprefixedMsgpack() {
        assertInvalid(() -> decode(codec, utf8("M:"), false, Buffers.Memory.POOLED_HEAP));
        assertInvalid(() -> decode(codec, utf8("M:" + JSON), false, Buffers.Memory.POOLED_HEAP));
        assertInvalid(() -> decode(codec, new byte[0], false, Buffers.Memory.POOLED_HEAP));
        assertInvalid(() -> decode(codec, new byte[0], true, Buffers.Memory.POOLED_HEAP));
    }

    @Test
    void refusesEncryptedFramesBeforeAKeyExchange() {
        byte[] frame = concat(utf8("E:"), new byte[12 + 16 + 20]);

        ProtocolException e = assertInvalid(() -> decode(codec, frame, false, Buffers.Memory.POOLED_DIRECT));

        assertThat(e).hasMessage("encrypted frame but no key exchange");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void rejectsContentOverTheLimitAsTooLarge(boolean text) throws ProtocolException {
        FrameCodec limited = new FrameCodec(DecodeLimits.of(64));
        String atLimit = "{\"t\":\"x\",\"p\":{\"pad\":\"" + "a".repeat(64 - 24) + "\"}}";
        assertThat(atLimit).hasSize(64);

        assertThat(decode(limited, utf8(atLimit), text, Buffers.Memory.POOLED_DIRECT).type()).isEqualTo("x");
        assertTooLarge(() -> decode(limited, utf8(atLimit + " "), text, Buffers.Memory.POOLED_DIRECT));
        assertTooLarge(() -> decode(limited, new byte[1 << 20], text, Buffers.Memory.UNPOOLED_HEAP));
    }

    // --- compression -------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Buffers.Memory.class)
    void compressesJsonIntoACFrameAndReleasesTheInput(Buffers.Memory memory) throws ProtocolException {
        Envelope envelope = Envelope.of("chat", Envelope.newPayload().put("text", "hello ".repeat(500)));
        ByteBuf json = codec.encode(memory.allocator(), envelope, WireFormat.JSON);
        byte[] jsonBytes = codec.json().encodeToBytes(envelope);

        ByteBuf compressed = codec.compress(memory.allocator(), json);
        assertThat(json.refCnt()).isZero();
        byte[] frame = drain(compressed);

        assertThat(frame).startsWith(utf8("C:"));
        assertThat(frame.length).isLessThan(jsonBytes.length / 10);
        assertThat(inflate(Arrays.copyOfRange(frame, 2, frame.length))).isEqualTo(jsonBytes);
        assertThat(decode(codec, frame, false, memory)).isEqualTo(envelope);
    }

    @Test
    void compressesOnlyTheReadableBytes() throws ProtocolException {
        ByteBuf json = Buffers.Memory.POOLED_DIRECT.copyOf(utf8(JSON));

        byte[] frame = drain(codec.compress(PooledByteBufAllocator.DEFAULT, json));

        assertThat(inflate(Arrays.copyOfRange(frame, 2, frame.length))).isEqualTo(utf8(JSON));
    }

    @Test
    void compressesIncompressibleInput() throws ProtocolException {
        byte[] random = new byte[100_000];
        new SplittableRandom(7).nextBytes(random);
        ByteBuf input = Buffers.Memory.UNPOOLED_HEAP.copyOf(random);

        byte[] frame = drain(codec.compress(PooledByteBufAllocator.DEFAULT, input));

        assertThat(inflate(Arrays.copyOfRange(frame, 2, frame.length))).isEqualTo(random);
    }

    private static byte[] inflate(byte[] zlib) throws ProtocolException {
        ByteBuf buf = Buffers.Memory.POOLED_DIRECT.copyOf(zlib);
        try {
            return Zlib.inflate(buf, 10 << 20);
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @EnumSource(Buffers.Memory.class)
    void inflatesCFramesOfJsonMsgpackAndLegacyPrefixes(Buffers.Memory memory) throws ProtocolException {
        assertThat(decode(codec, concat(utf8("C:"), zlib(utf8(JSON))), false, memory)).isEqualTo(chat());
        assertThat(decode(codec, concat(utf8("C:"), zlib(utf8("WSE" + JSON))), false, memory)).isEqualTo(chat());
        assertThat(decode(codec, concat(utf8("C:"), zlib(concat(utf8("M:"), msgpack(chat())))), false, memory))
                .isEqualTo(chat());
    }

    @Test
    void rejectsMalformedZlibAsInvalid() {
        byte[] good = zlib(utf8(JSON));
        Deflater raw = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        byte[] rawDeflate = new byte[256];
        int rawLength;
        try {
            raw.setInput(utf8(JSON));
            raw.finish();
            rawLength = raw.deflate(rawDeflate);
        } finally {
            raw.end();
        }
        byte[] headerless = Arrays.copyOf(rawDeflate, rawLength);

        for (byte[] body : new byte[][] {
                new byte[0], headerless, Arrays.copyOf(good, good.length - 3), Arrays.copyOf(good, 2),
                concat(good, utf8("junk")), concat(good, good), utf8(JSON), zlib(utf8("C:" + JSON))}) {
            assertInvalid(() -> decode(codec, concat(utf8("C:"), body), false, Buffers.Memory.POOLED_DIRECT));
        }
    }

    @Test
    void rejectsAZlibBombAsTooLargeWithoutInflatingIt() {
        // 100 MB of zeros in about 100 KB: inflation must stop at the 1 MiB limit.
        byte[] bomb = Buffers.zlibOfZeros(100L << 20);
        assertThat(bomb.length).isLessThan(DecodeLimits.DEFAULT_MAX_MESSAGE_BYTES);

        assertTooLarge(() -> decode(codec, concat(utf8("C:"), bomb), false, Buffers.Memory.POOLED_DIRECT));
        assertTooLarge(() -> decode(codec, concat(utf8("C:"), bomb), false, Buffers.Memory.UNPOOLED_HEAP));
    }

    @Test
    void rejectsAValidMessageThatInflatesBeyondTheLimit() throws ProtocolException {
        FrameCodec limited = new FrameCodec(DecodeLimits.of(1024));
        String atLimit = "{\"t\":\"x\",\"p\":{\"pad\":\"" + "a".repeat(1024 - 24) + "\"}}";
        assertThat(atLimit).hasSize(1024);

        assertThat(decode(limited, concat(utf8("C:"), zlib(utf8(atLimit))), false, Buffers.Memory.POOLED_DIRECT)
                .type()).isEqualTo("x");
        assertTooLarge(() -> decode(limited, concat(utf8("C:"), zlib(utf8(atLimit + " "))), false,
                Buffers.Memory.POOLED_DIRECT));
        assertTooLarge(() -> decode(codec, concat(utf8("C:"),
                zlib(utf8("{\"t\":\"x\",\"p\":{\"s\":\"" + "a".repeat(2 << 20) + "\"}}"))), false,
                Buffers.Memory.POOLED_HEAP));
    }

    @Test
    void inflateHelperReturnsExactlyTheInflatedBytes() throws ProtocolException {
        byte[] data = utf8("x".repeat(10_000));

        assertThat(inflate(zlib(data))).isEqualTo(data);
        ByteBuf buf = Buffers.Memory.UNPOOLED_HEAP.copyOf(zlib(data));
        try {
            assertTooLarge(() -> Zlib.inflate(buf, data.length - 1));
            assertThat(Zlib.inflate(buf, data.length)).isEqualTo(data);
            assertThat(buf.readerIndex()).isEqualTo(Buffers.JUNK);
        } finally {
            buf.release();
        }
    }

    // --- encoding ----------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Buffers.Memory.class)
    void encodesJsonAndPrefixedMsgpack(Buffers.Memory memory) throws ProtocolException {
        ByteBufAllocator alloc = memory.allocator();
        Envelope envelope = Envelope.of("chat", Envelope.newPayload().put("text", "hi")).withMeta("id", "ts", 3);

        byte[] json = drain(codec.encode(alloc, envelope, WireFormat.JSON));
        byte[] msgpack = drain(codec.encode(alloc, envelope, WireFormat.MSGPACK));

        assertThat(json).isEqualTo(codec.json().encodeToBytes(envelope));
        assertThat(msgpack).isEqualTo(concat(utf8("M:"), codec.msgpack().encodeToBytes(envelope)));
        assertThat(decode(codec, json, true, memory)).isEqualTo(envelope);
        assertThat(decode(codec, msgpack, false, memory)).isEqualTo(envelope);
    }

    // --- robustness --------------------------------------------------------------------------------------

    @Test
    void answersEveryMutationOfAValidFrameWithAnEnvelopeOrAProtocolException() {
        Envelope envelope = new Envelope("room", "0000abcd", 42, "U", "state",
                Envelope.newPayload().put("s", "text").put("d", 2.5).put("n", 1L << 40),
                "id-1", "2026-01-01T00:00:00.000Z", 7, "req-9", 5, "c2ln", 1);
        byte[][] frames = {
                codec.json().encodeToBytes(envelope),
                concat(utf8("M:"), codec.msgpack().encodeToBytes(envelope)),
                concat(utf8("C:"), zlib(codec.json().encodeToBytes(envelope)))};
        SplittableRandom random = new SplittableRandom(20260101);
        for (int i = 0; i < 30_000; i++) {
            byte[] frame = frames[i % frames.length];
            byte[] mutated = Arrays.copyOf(frame, random.nextInt(frame.length) + 1 + random.nextInt(2));
            for (int flips = random.nextInt(1, 4); flips > 0 && mutated.length > 2; flips--) {
                mutated[random.nextInt(2, mutated.length)] = (byte) random.nextInt(256);
            }
            ByteBuf buf = Unpooled.wrappedBuffer(mutated);
            try {
                codec.decode(buf, false);
            } catch (ProtocolException expected) {
                assertThat(expected.code()).isNotNull();
            } finally {
                buf.release();
            }
        }
    }
}
