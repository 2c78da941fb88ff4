package io.fanwire.common.codec;

import static io.fanwire.common.codec.Buffers.assertInvalid;
import static io.fanwire.common.codec.Buffers.assertTooLarge;
import static io.fanwire.common.codec.Buffers.concat;
import static io.fanwire.common.codec.Buffers.drain;
import static io.fanwire.common.codec.Buffers.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ErrorCode;
import io.fanwire.common.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

class MsgpackEnvelopeCodecTest {

    /** {@code {"t":"x","p":} — a value must follow. */
    private static final byte[] T_X_P = {(byte) 0x82, (byte) 0xa1, 't', (byte) 0xa1, 'x', (byte) 0xa1, 'p'};
    /** {@code {"t":"x","p":{"a":} — a value must follow. */
    private static final byte[] T_X_P_A = concat(T_X_P, new byte[] {(byte) 0x81, (byte) 0xa1, 'a'});

    private final MsgpackEnvelopeCodec codec = new MsgpackEnvelopeCodec(DecodeLimits.DEFAULT);
    private final MsgpackEnvelopeCodec small = new MsgpackEnvelopeCodec(new DecodeLimits(4096, 64, 100, 64));

    private Envelope decode(byte[] bytes) throws ProtocolException {
        return codec.decode(bytes, 0, bytes.length);
    }

    interface Packing {
        void pack(MessagePacker packer) throws IOException;
    }

    /** msgpack written by msgpack-java itself, independently of the codec under test. */
    static byte[] pack(Packing packing) {
        try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
            packing.pack(packer);
            return packer.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code {"t":"x","p":{"a":<value>}}}. */
    private static byte[] payloadValue(int... value) {
        byte[] bytes = new byte[value.length];
        for (int i = 0; i < value.length; i++) {
            bytes[i] = (byte) value[i];
        }
        return concat(T_X_P_A, bytes);
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    // --- encoding ----------------------------------------------------------------------------------------

    @Test
    void writesTheSmallestForm() {
        Envelope envelope = new Envelope(null, null, Envelope.NO_OFFSET, null, "x", Envelope.newPayload(),
                null, null, Envelope.NO_SEQ, null, null, null, Envelope.NO_VERSION);

        assertThat(codec.encodeToBytes(envelope)).isEqualTo(concat(T_X_P, bytes(0x80)));
    }

    @Test
    void writesKeysInProtocolOrder() throws IOException {
        Envelope envelope = new Envelope("room", "0000abcd", 42, "U", "state", Envelope.newPayload().put("k", 1),
                "id-1", "2026-01-01T00:00:00.000Z", 7, "req-9", 5, "c2ln", 1);

        List<String> keys = new ArrayList<>();
        try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(codec.encodeToBytes(envelope))) {
            int entries = unpacker.unpackMapHeader();
            for (int i = 0; i < entries; i++) {
                keys.add(unpacker.unpackString());
                unpacker.skipValue();
            }
            assertThat(unpacker.hasNext()).isFalse();
        }

        assertThat(keys).containsExactly("tp", "e", "o", "c", "t", "p", "id", "ts", "seq", "cid", "pri", "sig", "v");
    }

    @Test
    void encodesIntoABufferTheCallerOwns() {
        Envelope envelope = Envelope.of("x", Envelope.newPayload().put("k", "v"));

        byte[] expected = codec.encodeToBytes(envelope);

        assertThat(drain(codec.encode(PooledByteBufAllocator.DEFAULT, envelope))).isEqualTo(expected);
        assertThat(drain(codec.encode(UnpooledByteBufAllocator.DEFAULT, envelope))).isEqualTo(expected);
    }

    @Test
    void encodesLargeMessagesAcrossSeveralChunks() throws ProtocolException {
        ObjectNode p = Envelope.newPayload();
        p.put("big", "é".repeat(50_000));
        p.put("bin", new byte[20_000]);
        for (int i = 0; i < 3000; i++) {
            p.putArray("k" + i).add(i).add("v" + i);
        }
        Envelope envelope = Envelope.of("x", p);

        byte[] bytes = drain(codec.encode(PooledByteBufAllocator.DEFAULT, envelope));

        assertThat(bytes).isEqualTo(codec.encodeToBytes(envelope));
        assertThat(decode(bytes)).isEqualTo(envelope);
    }

    @Test
    void encodesNumbersMsgpackCannotCarryAsFloat64() throws ProtocolException {
        ObjectNode p = Envelope.newPayload();
        p.put("u64", new BigInteger("18446744073709551615"));
        p.put("huge", new BigInteger("1" + "0".repeat(30)));
        p.put("dec", new BigDecimal("1.25"));

        ObjectNode decoded = decode(codec.encodeToBytes(Envelope.of("x", p))).payload();

        assertThat(decoded.get("u64")).isEqualTo(BigIntegerNode.valueOf(new BigInteger("18446744073709551615")));
        assertThat(decoded.get("huge")).isEqualTo(DoubleNode.valueOf(1e30));
        assertThat(decoded.get("dec")).isEqualTo(DoubleNode.valueOf(1.25));
    }

    // --- decoding ----------------------------------------------------------------------------------------

    @Test
    void readsEveryKeyAndAliases() throws ProtocolException {
        byte[] bytes = pack(p -> {
            p.packMapHeader(13);
            p.packString("type").packString("state");
            p.packString("payload").packMapHeader(1).packString("k").packInt(1);
            p.packString("tp").packString("room");
            p.packString("e").packString("0000abcd");
            p.packString("o").packLong(9007199254740993L);
            p.packString("c").packString("S");
            p.packString("id").packString("i");
            p.packString("ts").packString("2026");
            p.packString("seq").packLong(3);
            p.packString("cid").packString("c");
            p.packString("pri").packInt(-2);
            p.packString("sig").packString("g");
            p.packString("v").packInt(2);
        });

        Envelope e = decode(bytes);

        assertThat(e).isEqualTo(new Envelope("room", "0000abcd", 9007199254740993L, "S", "state",
                Envelope.newPayload().put("k", 1), "i", "2026", 3, "c", -2, "g", 2));
    }

    @Test
    void ignoresUnknownKeys() throws ProtocolException {
        byte[] bytes = pack(p -> {
            p.packMapHeader(3);
            p.packString("zz").packArrayHeader(2).packMapHeader(1).packString("q").packNil().packBinaryHeader(0);
            p.packString("t").packString("ok");
            p.packString("yy").packDouble(1.5);
        });

        assertThat(decode(bytes).type()).isEqualTo("ok");
    }

    @Test
    void mapsPayloadValuesToJacksonNodes() throws ProtocolException {
        byte[] bytes = pack(p -> {
            p.packMapHeader(2).packString("t").packString("x").packString("p").packMapHeader(9);
            p.packString("i").packInt(-5);
            p.packString("l").packLong(Long.MIN_VALUE);
            p.packString("u").packBigInteger(new BigInteger("18446744073709551615"));
            p.packString("u63").packBigInteger(BigInteger.valueOf(Long.MAX_VALUE));
            p.packString("f").packFloat(0.1f);
            p.packString("d").packDouble(0.1);
            p.packString("b").packBinaryHeader(3).writePayload(new byte[] {1, 2, 3});
            p.packString("n").packNil();
            p.packString("a").packArrayHeader(2).packBoolean(true).packString("é");
        });

        ObjectNode payload = decode(bytes).payload();

        assertThat(payload.get("i")).isEqualTo(IntNode.valueOf(-5));
        assertThat(payload.get("l")).isEqualTo(LongNode.valueOf(Long.MIN_VALUE));
        assertThat(payload.get("u")).isEqualTo(BigIntegerNode.valueOf(new BigInteger("18446744073709551615")));
        assertThat(payload.get("u63")).isEqualTo(LongNode.valueOf(Long.MAX_VALUE));
        assertThat(payload.get("f")).isEqualTo(FloatNode.valueOf(0.1f));
        assertThat(payload.get("d")).isEqualTo(DoubleNode.valueOf(0.1));
        assertThat(payload.get("b")).isEqualTo(BinaryNode.valueOf(new byte[] {1, 2, 3}));
        assertThat(payload.get("n").isNull()).isTrue();
        assertThat(payload.get("a").toString()).isEqualTo("[true,\"é\"]");
    }

    @Test
    void keepsBinaryInMsgpackAndWritesItAsBase64InJson() throws ProtocolException {
        byte[] bytes = concat(T_X_P, bytes(0x81, 0xa1, 'b', 0xc4, 4, 1, 2, 3, 0xff));

        Envelope e = decode(bytes);

        assertThat(codec.encodeToBytes(e)).isEqualTo(bytes);
        assertThat(new String(new JsonEnvelopeCodec(DecodeLimits.DEFAULT).encodeToBytes(e), StandardCharsets.UTF_8))
                .isEqualTo("{\"t\":\"x\",\"p\":{\"b\":\"AQID/w==\"}}");
    }

    @ParameterizedTest
    @ValueSource(ints = {0x90, 0xa1, 0xc0, 0x01, 0xc3, 0xcb})
    void rejectsAnythingButAMapAtTheTopLevel(int first) {
        byte[] bytes = concat(bytes(first), new byte[8]);
        assertInvalid(() -> decode(bytes));
    }

    @Test
    void rejectsEmptyInput() {
        assertInvalid(() -> codec.decode(new byte[0], 0, 0));
    }

    static Stream<Arguments> wrongTypes() {
        byte[][] notString = {bytes(0x01), bytes(0xcb, 0, 0, 0, 0, 0, 0, 0, 0), bytes(0xc3), bytes(0xc0),
                bytes(0x80), bytes(0x90), bytes(0xc4, 1, 'a')};
        byte[][] notInteger = {bytes(0xa1, '1'), bytes(0xca, 0, 0, 0, 0), bytes(0xcb, 0, 0, 0, 0, 0, 0, 0, 0),
                bytes(0xc2), bytes(0xc0), bytes(0x80), bytes(0x90)};
        byte[][] notMap = {bytes(0x90), bytes(0xa1, 's'), bytes(0x01), bytes(0xc3), bytes(0xc0)};
        Stream.Builder<Arguments> cases = Stream.builder();
        for (String key : new String[] {"tp", "e", "c", "id", "ts", "cid", "sig", "type"}) {
            for (byte[] bad : notString) {
                cases.add(Arguments.of(key, concat(bytes(0x82, 0xa1, 't', 0xa1, 'x'), str(key), bad)));
            }
        }
        for (String key : new String[] {"o", "seq", "v", "pri"}) {
            for (byte[] bad : notInteger) {
                cases.add(Arguments.of(key, concat(bytes(0x82, 0xa1, 't', 0xa1, 'x'), str(key), bad)));
            }
        }
        for (String key : new String[] {"p", "payload"}) {
            for (byte[] bad : notMap) {
                cases.add(Arguments.of(key, concat(bytes(0x82, 0xa1, 't', 0xa1, 'x'), str(key), bad)));
            }
        }
        return cases.build();
    }

    private static byte[] str(String s) {
        return concat(bytes(0xa0 | s.length()), utf8(s));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongTypes")
    void rejectsKnownKeysOfTheWrongType(String key, byte[] bytes) {
        assertInvalid(() -> decode(bytes));
    }

    @Test
    void rejectsMissingTypeAndIncompleteStamps() {
        assertInvalid(() -> decode(bytes(0x80)));
        assertInvalid(() -> decode(concat(bytes(0x81), str("t"), str(""))));
        assertInvalid(() -> decode(concat(bytes(0x82), str("t"), str("x"), str("tp"), str("a"))));
        assertInvalid(() -> decode(concat(bytes(0x82), str("t"), str("x"), str("o"), bytes(0x01))));
        assertInvalid(() -> decode(concat(bytes(0x84), str("t"), str("x"), str("tp"), str("a"), str("e"), str("b"),
                str("o"), bytes(0xff))));
    }

    @Test
    void rejectsIntegersOutOfRange() {
        byte[] u64 = bytes(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
        byte[] twoPow31 = bytes(0xd3, 0, 0, 0, 0, 0x80, 0, 0, 0);

        assertInvalid(() -> decode(concat(bytes(0x82), str("t"), str("x"), str("seq"), u64)));
        assertInvalid(() -> decode(concat(bytes(0x82), str("t"), str("x"), str("v"), twoPow31)));
        assertInvalid(() -> decode(concat(bytes(0x82), str("t"), str("x"), str("pri"), twoPow31)));
        assertInvalid(() -> decode(concat(bytes(0x82), str("t"), str("x"), str("seq"), bytes(0xff))));
    }

    @Test
    void rejectsNonStringMapKeys() {
        assertInvalid(() -> decode(payloadValue(0x81, 0x01, 0xa1, 'v')));
        assertInvalid(() -> decode(payloadValue(0x81, 0xc0, 0xa1, 'v')));
        assertInvalid(() -> decode(payloadValue(0x81, 0xc4, 1, 'k', 0xa1, 'v')));
        assertInvalid(() -> decode(payloadValue(0x81, 0x90, 0x01)));
        assertInvalid(() -> decode(bytes(0x81, 0x01, 0xa1, 'x')));
    }

    @ParameterizedTest
    @ValueSource(strings = {"d40100", "d5010000", "d601ffffffff", "d6ffffffffff", "d7010000000000000000",
            "c7010500", "c800010500", "c9000000010500", "c1"})
    void rejectsExtensionTypesAndTheReservedByte(String hex) {
        byte[] value = HexFormat.of().parseHex(hex);
        assertInvalid(() -> decode(concat(T_X_P_A, value)));
        assertInvalid(() -> decode(value));
    }

    @Test
    void rejectsTrailingBytes() {
        assertInvalid(() -> decode(concat(T_X_P, bytes(0x80, 0xc0))));
        assertInvalid(() -> decode(concat(T_X_P, bytes(0x80), T_X_P, bytes(0x80))));
    }

    @Test
    void rejectsInvalidUtf8ButKeepsARealReplacementCharacter() throws ProtocolException {
        assertInvalid(() -> decode(concat(bytes(0x82), str("t"), bytes(0xa2, 0xc3, 0x28), str("p"), bytes(0x80))));
        assertInvalid(() -> decode(payloadValue(0xa3, 0xed, 0xa0, 0x80)));
        assertInvalid(() -> decode(concat(T_X_P, bytes(0x81, 0xa1, 0xff, 0x01))));

        assertThat(decode(payloadValue(0xa3, 0xef, 0xbf, 0xbd)).payload().get("a").textValue()).isEqualTo("\uFFFD");
    }

    @Test
    void rejectsTruncatedInputAsInvalid() {
        byte[] d = bytes(0xcb, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18);
        byte[] whole = payloadValue(0xcb, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18);
        byte[] cutInDouble = Arrays.copyOf(whole, whole.length - d.length + 3);

        assertInvalid(() -> decode(cutInDouble));
        assertInvalid(() -> decode(T_X_P));
        assertInvalid(() -> decode(T_X_P_A));
        assertInvalid(() -> decode(bytes(0xde, 0x00)));
        assertInvalid(() -> decode(concat(T_X_P_A, bytes(0xd1, 0x01))));
    }

    @Test
    void rejectsEveryTruncationOfAValidMessage() throws ProtocolException {
        Envelope envelope = new Envelope("room", "0000abcd", 42, "U", "state",
                Envelope.newPayload().put("s", "text").put("d", 2.5).put("n", 1L << 40),
                "id-1", "2026-01-01T00:00:00.000Z", 7, "req-9", 5, "c2ln", 1);
        byte[] whole = codec.encodeToBytes(envelope);
        assertThat(decode(whole)).isEqualTo(envelope);

        for (int length = 0; length < whole.length; length++) {
            int cut = length;
            ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> codec.decode(whole, 0, cut));
            assertThat(e).as("truncated to %d bytes", cut).isNotNull();
            assertThat(e.closeCode()).isEqualTo(e.code() == ErrorCode.MESSAGE_TOO_LARGE
                    ? CloseCodes.MESSAGE_TOO_BIG : ProtocolException.KEEP_OPEN);
        }
    }

    // --- hostile lengths ---------------------------------------------------------------------------------

    @Test
    void rejectsA32BitArrayHeaderClaimingMoreThanCanExist() {
        // 10 bytes that claim 4,294,967,295 elements: nothing may be sized from the header.
        byte[] tenBytes = bytes(0x81, 0xa1, 'z', 0xdd, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02);
        assertThat(tenBytes).hasSize(10);

        assertTooLarge(() -> decode(tenBytes));
        assertTooLarge(() -> decode(payloadValue(0xdd, 0xff, 0xff, 0xff, 0xff)));
        assertTooLarge(() -> decode(payloadValue(0xdd, 0x7f, 0xff, 0xff, 0xff, 0x01)));
        assertTooLarge(() -> decode(payloadValue(0xdc, 0xff, 0xff, 0x01, 0x02)));
        assertTooLarge(() -> decode(payloadValue(0x9f, 0x01)));
    }

    @Test
    void rejectsA32BitMapHeaderClaimingMoreThanCanExist() {
        assertTooLarge(() -> decode(bytes(0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 't', 0xa1, 'x')));
        assertTooLarge(() -> decode(bytes(0xdf, 0x7f, 0xff, 0xff, 0xff, 0xa1, 't', 0xa1, 'x')));
        assertTooLarge(() -> decode(payloadValue(0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 'k', 0x01)));
        assertTooLarge(() -> decode(payloadValue(0xde, 0xff, 0xff, 0xa1, 'k', 0x01)));
        // two entries need at least four bytes
        assertTooLarge(() -> decode(payloadValue(0x82, 0xa1, 'k')));
    }

    @Test
    void rejectsA32BitStringHeaderClaimingMoreThanCanExist() {
        assertTooLarge(() -> decode(concat(bytes(0x81, 0xa1, 't'), bytes(0xdb, 0xff, 0xff, 0xff, 0xff, 'x'))));
        assertTooLarge(() -> decode(concat(bytes(0x81, 0xa1, 't'), bytes(0xdb, 0x7f, 0xff, 0xff, 0xff, 'x'))));
        assertTooLarge(() -> decode(concat(bytes(0x81, 0xa1, 't'), bytes(0xd9, 200, 'x', 'y', 'z'))));
        assertTooLarge(() -> decode(concat(bytes(0x81), bytes(0xdb, 0xff, 0xff, 0xff, 0xff, 't'))));
        assertTooLarge(() -> decode(payloadValue(0xdb, 0x00, 0x10, 0x00, 0x00, 'x')));
    }

    @Test
    void rejectsA32BitBinaryHeaderClaimingMoreThanCanExist() {
        assertTooLarge(() -> decode(payloadValue(0xc6, 0xff, 0xff, 0xff, 0xff, 0x01)));
        assertTooLarge(() -> decode(payloadValue(0xc6, 0x7f, 0xff, 0xff, 0xff, 0x01)));
        assertTooLarge(() -> decode(payloadValue(0xc5, 0x01, 0x00, 0x01)));
    }

    @Test
    void rejectsStringsAndBinaryOverTheLimitEvenWhenPresent() throws ProtocolException {
        byte[] atLimit = concat(T_X_P_A, bytes(0xd9, 100), utf8("s".repeat(100)));
        assertThat(small.decode(atLimit, 0, atLimit.length).payload().get("a").textValue()).hasSize(100);

        byte[] string = concat(T_X_P_A, bytes(0xd9, 101), utf8("s".repeat(101)));
        byte[] binary = concat(T_X_P_A, bytes(0xc4, 101), new byte[101]);
        byte[] key = concat(T_X_P, bytes(0x81, 0xd9, 101), utf8("k".repeat(101)), bytes(0x01));
        assertTooLarge(() -> small.decode(string, 0, string.length));
        assertTooLarge(() -> small.decode(binary, 0, binary.length));
        assertTooLarge(() -> small.decode(key, 0, key.length));
    }

    @Test
    void rejectsMessagesOverTheLimit() {
        byte[] big = concat(T_X_P_A, bytes(0xda, 0x13, 0x88), new byte[5000]);

        assertTooLarge(() -> small.decode(big, 0, big.length));
    }

    /** A message whose deepest container is at {@code depth}, counting the envelope map as 1. */
    static byte[] nested(int depth) {
        byte[] arrays = new byte[depth - 2];
        Arrays.fill(arrays, (byte) 0x91);
        arrays[arrays.length - 1] = (byte) 0x90;
        return concat(T_X_P, bytes(0x81, 0xa1, 'a'), arrays);
    }

    @Test
    void acceptsNestingUpToTheLimit() throws ProtocolException {
        JsonNode node = decode(nested(64)).payload().get("a");
        int depth = 2;
        while (node.isArray()) {
            depth++;
            node = node.size() == 0 ? null : node.get(0);
            if (node == null) {
                break;
            }
        }
        assertThat(depth).isEqualTo(64);
    }

    @ParameterizedTest
    @ValueSource(ints = {65, 100, 100_000})
    void rejectsDeeperNestingAsTooLarge(int depth) {
        assertTooLarge(() -> decode(nested(depth)));
    }

    @Test
    void rejectsDeepNestingOfMapsAndInIgnoredKeys() {
        byte[] maps = new byte[100_000 * 3];
        for (int i = 0; i < maps.length; i += 3) {
            maps[i] = (byte) 0x81;
            maps[i + 1] = (byte) 0xa1;
            maps[i + 2] = 'k';
        }
        byte[] arrays = new byte[100_000];
        Arrays.fill(arrays, (byte) 0x91);

        assertTooLarge(() -> decode(concat(T_X_P, maps, bytes(0x01))));
        assertTooLarge(() -> decode(concat(bytes(0x82, 0xa1, 't', 0xa1, 'x', 0xa2, 'z', 'z'), arrays)));
    }

    @Test
    void decodesFromHeapAndDirectBuffersWithoutTouchingThem() throws ProtocolException {
        byte[] bytes = concat(T_X_P, bytes(0x81, 0xa1, 'k', 0xa1, 'v'));
        for (Buffers.Memory memory : Buffers.Memory.values()) {
            ByteBuf buf = memory.copyOf(bytes);
            try {
                assertThat(codec.decode(buf).payload().get("k").textValue()).isEqualTo("v");
                assertThat(buf.readerIndex()).isEqualTo(Buffers.JUNK);
                assertThat(buf.refCnt()).isEqualTo(1);
            } finally {
                buf.release();
            }
        }
    }
}
