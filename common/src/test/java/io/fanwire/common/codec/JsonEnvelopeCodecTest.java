package io.fanwire.common.codec;

import static io.fanwire.common.codec.Buffers.assertInvalid;
import static io.fanwire.common.codec.Buffers.assertTooLarge;
import static io.fanwire.common.codec.Buffers.drain;
import static io.fanwire.common.codec.Buffers.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;

import io.fanwire.common.protocol.Categories;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.Features;
import io.fanwire.common.protocol.ProtocolException;
import io.fanwire.common.protocol.ServerMessage.ServerReady;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

class JsonEnvelopeCodecTest {

    private static final DecodeLimits SMALL = new DecodeLimits(4096, 64, 100, 64);

    private final JsonEnvelopeCodec codec = new JsonEnvelopeCodec(DecodeLimits.DEFAULT);
    private final JsonEnvelopeCodec small = new JsonEnvelopeCodec(SMALL);

    private Envelope decode(String json) throws ProtocolException {
        byte[] bytes = utf8(json);
        return codec.decode(bytes, 0, bytes.length);
    }

    private String encode(Envelope envelope) {
        return new String(codec.encodeToBytes(envelope), StandardCharsets.UTF_8);
    }

    // --- encoding: exact bytes ---------------------------------------------------------------------------

    @Test
    void writesServerReadyWithKeysInProtocolOrder() {
        Envelope envelope = new ServerReady("conn-1", "user-1", 1, new Features(true, false, false, true),
                "2026-01-02T03:04:05.678Z").toEnvelope()
                .withMeta("01890a5d-ac96-774b-bcce-b302099a8057", "2026-01-02T03:04:05.678Z", 1);

        assertThat(encode(envelope)).isEqualTo("{\"c\":\"WSE\",\"t\":\"server_ready\",\"p\":{"
                + "\"message\":\"Connection established\",\"details\":{\"version\":1,"
                + "\"features\":{\"compression\":true,\"msgpack\":false,\"encryption\":false,\"batch_messages\":true},"
                + "\"connection_id\":\"conn-1\",\"server_time\":\"2026-01-02T03:04:05.678Z\",\"user_id\":\"user-1\"}},"
                + "\"id\":\"01890a5d-ac96-774b-bcce-b302099a8057\",\"ts\":\"2026-01-02T03:04:05.678Z\","
                + "\"seq\":1,\"v\":1}");
    }

    @Test
    void writesTheRecoveryStampFirst() {
        ObjectNode p = Envelope.newPayload().put("text", "hello").put("n", 3);
        Envelope envelope = Envelope.of("chat_message", p).withStamp("chat", "0000abcd", 42);

        assertThat(encode(envelope)).isEqualTo(
                "{\"tp\":\"chat\",\"e\":\"0000abcd\",\"o\":42,\"c\":\"U\",\"t\":\"chat_message\","
                        + "\"p\":{\"text\":\"hello\",\"n\":3},\"v\":1}");
    }

    @Test
    void writesEveryKeyInOrderAndVersionLast() {
        Envelope envelope = new Envelope("room", "00000001", 0, Categories.SNAPSHOT, "state", Envelope.newPayload(),
                "id-1", "2026-01-01T00:00:00.000Z", 7, "req-9", 5, "c2ln", 1);

        assertThat(encode(envelope)).isEqualTo("{\"tp\":\"room\",\"e\":\"00000001\",\"o\":0,\"c\":\"S\","
                + "\"t\":\"state\",\"p\":{},\"id\":\"id-1\",\"ts\":\"2026-01-01T00:00:00.000Z\",\"seq\":7,"
                + "\"cid\":\"req-9\",\"pri\":5,\"sig\":\"c2ln\",\"v\":1}");
    }

    @Test
    void leavesAbsentKeysOut() {
        Envelope envelope = new Envelope(null, null, Envelope.NO_OFFSET, null, "x", Envelope.newPayload(),
                null, null, Envelope.NO_SEQ, null, null, null, Envelope.NO_VERSION);

        assertThat(encode(envelope)).isEqualTo("{\"t\":\"x\",\"p\":{}}");
    }

    @Test
    void writesNonAsciiAsUtf8AndEscapesWhatJsonRequires() {
        Envelope envelope = Envelope.of("x", Envelope.newPayload().put("s", "é€😀 \"q\" \\ \n"));

        assertThat(encode(envelope))
                .isEqualTo("{\"c\":\"U\",\"t\":\"x\",\"p\":{\"s\":\"é€😀 \\\"q\\\" \\\\ \\n\"},\"v\":1}");
    }

    @Test
    void survivesLoneSurrogatesThatAClientSentAsEscapes() throws ProtocolException {
        Envelope e = decode("{\"t\":\"x\",\"p\":{\"s\":\"a\\ud800b\",\"r\":\"\\udc00\"}}");

        String json = encode(e);

        assertThat(decode(json)).isEqualTo(e);
        assertThat(json).isEqualTo("{\"t\":\"x\",\"p\":{\"s\":\"a\\uD800b\",\"r\":\"\\uDC00\"}}");
    }

    @Test
    void writesBinaryPayloadNodesAsBase64() {
        ObjectNode p = Envelope.newPayload();
        p.put("b", new byte[] {1, 2, 3, (byte) 0xff});

        assertThat(encode(Envelope.of("x", p))).contains("\"p\":{\"b\":\"AQID/w==\"}");
    }

    @Test
    void refusesPojoNodesAndReleasesWhatItWrote() {
        ObjectNode p = Envelope.newPayload().put("a", "b");
        p.set("pojo", new POJONode(new Object()));

        assertThatThrownBy(() -> codec.encode(PooledByteBufAllocator.DEFAULT, Envelope.of("x", p)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("POJO");
    }

    @Test
    void encodesIntoABufferTheCallerOwns() {
        Envelope envelope = Envelope.of("x", Envelope.newPayload().put("k", "v"));

        ByteBuf direct = codec.encode(PooledByteBufAllocator.DEFAULT, envelope);
        ByteBuf heap = codec.encode(UnpooledByteBufAllocator.DEFAULT, envelope);

        assertThat(direct.refCnt()).isEqualTo(1);
        assertThat(drain(direct)).isEqualTo(codec.encodeToBytes(envelope));
        assertThat(drain(heap)).isEqualTo(codec.encodeToBytes(envelope));
    }

    @Test
    void encodesLargeMessagesAcrossSeveralWrites() throws ProtocolException {
        ObjectNode p = Envelope.newPayload();
        p.put("big", "x".repeat(100_000));
        for (int i = 0; i < 2000; i++) {
            p.put("k" + i, i);
        }
        Envelope envelope = Envelope.of("x", p);

        byte[] bytes = drain(codec.encode(PooledByteBufAllocator.DEFAULT, envelope));

        assertThat(bytes).isEqualTo(codec.encodeToBytes(envelope));
        assertThat(codec.decode(bytes, 0, bytes.length)).isEqualTo(envelope);
    }

    // --- decoding ----------------------------------------------------------------------------------------

    @Test
    void readsEveryKey() throws ProtocolException {
        Envelope e = decode("{\"tp\":\"room\",\"e\":\"0000abcd\",\"o\":9007199254740993,\"c\":\"S\",\"t\":\"state\","
                + "\"p\":{\"a\":[1,2.5,\"s\",true,false,null,{}]},\"id\":\"i\",\"ts\":\"2026\",\"seq\":3,"
                + "\"cid\":\"c\",\"pri\":-2,\"sig\":\"g\",\"v\":2}");

        assertThat(e.topic()).isEqualTo("room");
        assertThat(e.epoch()).isEqualTo("0000abcd");
        assertThat(e.offset()).isEqualTo(9007199254740993L);
        assertThat(e.category()).isEqualTo("S");
        assertThat(e.type()).isEqualTo("state");
        assertThat(e.payload().toString()).isEqualTo("{\"a\":[1,2.5,\"s\",true,false,null,{}]}");
        assertThat(e.id()).isEqualTo("i");
        assertThat(e.timestamp()).isEqualTo("2026");
        assertThat(e.seq()).isEqualTo(3);
        assertThat(e.correlationId()).isEqualTo("c");
        assertThat(e.priority()).isEqualTo(-2);
        assertThat(e.signature()).isEqualTo("g");
        assertThat(e.version()).isEqualTo(2);
    }

    @Test
    void absentKeysDecodeAsAbsent() throws ProtocolException {
        Envelope e = decode("{\"t\":\"x\"}");

        assertThat(e).isEqualTo(new Envelope(null, null, Envelope.NO_OFFSET, null, "x", Envelope.newPayload(),
                null, null, Envelope.NO_SEQ, null, null, null, Envelope.NO_VERSION));
    }

    @Test
    void acceptsTypeAndPayloadAliases() throws ProtocolException {
        Envelope e = decode("{\"type\":\"chat\",\"payload\":{\"k\":1}}");

        assertThat(e.type()).isEqualTo("chat");
        assertThat(e.payload().toString()).isEqualTo("{\"k\":1}");
    }

    @Test
    void canonicalKeysWinOverAliasesInAnyOrder() throws ProtocolException {
        for (String json : new String[] {
                "{\"t\":\"a\",\"type\":\"b\",\"p\":{\"x\":1},\"payload\":{\"y\":2}}",
                "{\"payload\":{\"y\":2},\"type\":\"b\",\"p\":{\"x\":1},\"t\":\"a\"}"}) {
            Envelope e = decode(json);
            assertThat(e.type()).isEqualTo("a");
            assertThat(e.payload().toString()).isEqualTo("{\"x\":1}");
        }
    }

    @Test
    void ignoresUnknownKeysWhateverTheirShape() throws ProtocolException {
        Envelope e = decode(" {\"x\":{\"deep\":[1,{\"a\":null}]},\"t\":\"ok\",\"y\":[],\"z\":\"s\",\"w\":1.5} \n");

        assertThat(e.type()).isEqualTo("ok");
    }

    @Test
    void keepsPayloadNumbersExact() throws ProtocolException {
        Envelope e = decode("{\"t\":\"x\",\"p\":{\"i\":1,\"l\":4294967296,\"b\":123456789012345678901234567890,"
                + "\"d\":0.1,\"neg\":-7}}");

        assertThat(e.payload().get("i").isInt()).isTrue();
        assertThat(e.payload().get("l").isLong()).isTrue();
        assertThat(e.payload().get("b"))
                .isEqualTo(BigIntegerNode.valueOf(new BigInteger("123456789012345678901234567890")));
        assertThat(e.payload().get("d").doubleValue()).isEqualTo(0.1);
        assertThat(encode(e)).isEqualTo("{\"t\":\"x\",\"p\":{\"i\":1,\"l\":4294967296,"
                + "\"b\":123456789012345678901234567890,\"d\":0.1,\"neg\":-7}}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "[]", "[{\"t\":\"x\"}]", "\"t\"", "1", "null", "true"})
    void rejectsAnythingButAnObjectAtTheTopLevel(String json) {
        assertInvalid(() -> decode(json));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"p\":{}}", "{\"t\":\"\"}", "{\"type\":\"\"}", "{\"t\":null}", "{\"t\":1}"})
    void requiresANonEmptyType(String json) {
        assertInvalid(() -> decode(json));
    }

    static Stream<Arguments> wrongTypes() {
        Stream.Builder<Arguments> cases = Stream.builder();
        String prefix = "{\"t\":\"x\",";
        for (String key : new String[] {"tp", "e", "c", "id", "ts", "cid", "sig", "type"}) {
            for (String bad : new String[] {"1", "1.5", "true", "null", "{}", "[]"}) {
                cases.add(Arguments.of(prefix + "\"" + key + "\":" + bad + "}"));
            }
        }
        for (String key : new String[] {"o", "seq", "v", "pri"}) {
            for (String bad : new String[] {"\"1\"", "1.5", "1e2", "true", "null", "{}", "[]"}) {
                cases.add(Arguments.of(prefix + "\"tp\":\"a\",\"e\":\"b\",\"o\":1,\"" + key + "\":" + bad + "}"));
            }
        }
        for (String key : new String[] {"p", "payload"}) {
            for (String bad : new String[] {"[]", "\"s\"", "1", "true", "null"}) {
                cases.add(Arguments.of(prefix + "\"" + key + "\":" + bad + "}"));
            }
        }
        return cases.build();
    }

    @ParameterizedTest
    @MethodSource("wrongTypes")
    void rejectsKnownKeysOfTheWrongType(String json) {
        assertInvalid(() -> decode(json));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"t\":\"x\",\"o\":9223372036854775808}",
            "{\"t\":\"x\",\"seq\":-9223372036854775809}",
            "{\"t\":\"x\",\"v\":2147483648}",
            "{\"t\":\"x\",\"pri\":-2147483649}",
            "{\"t\":\"x\",\"seq\":-1}"})
    void rejectsIntegersOutOfRange(String json) {
        assertInvalid(() -> decode(json));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"t\":\"x\",\"tp\":\"a\",\"o\":1}",
            "{\"t\":\"x\",\"tp\":\"a\",\"e\":\"b\"}",
            "{\"t\":\"x\",\"tp\":\"a\",\"e\":\"b\",\"o\":-1}",
            "{\"t\":\"x\",\"e\":\"b\",\"o\":1}",
            "{\"t\":\"x\",\"e\":\"b\"}",
            "{\"t\":\"x\",\"o\":0}"})
    void requiresACompleteRecoveryStamp(String json) {
        assertInvalid(() -> decode(json));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"t\":\"x\"}{}", "{\"t\":\"x\"} x", "{\"t\":\"x\"}]", "{\"t\":\"x\"},", "{\"t\":\"x\"} 1"})
    void rejectsTrailingData(String json) {
        assertInvalid(() -> decode(json));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"t\":\"x\",}", "{\"t\":'x'}", "{t:\"x\"}", "{\"t\":\"x\"", "{\"t\":\"x\",\"p\":{\"a\":[1,2",
            "{\"t\":\"x\",\"p\":{\"a\":}}", "{\"t\":\"x\",\"p\":{\"a\":NaN}}", "{\"t\":\"x\" /* c */}",
            "{\"t\":\"x\",\"p\":{\"a\":01}}", "{\"t\":\"unterminated}", "{\"t\":\"x\",\"p\":{\"a\":tru}}"})
    void rejectsMalformedJsonAndKeepsTheConnection(String json) {
        assertInvalid(() -> decode(json));
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[] bytes = Buffers.concat(utf8("{\"t\":\"x\",\"p\":{\"s\":\""), new byte[] {(byte) 0xc3, 0x28},
                utf8("\"}}"));

        assertInvalid(() -> codec.decode(bytes, 0, bytes.length));
    }

    /** A message whose deepest container is at {@code depth}, counting the envelope object as 1. */
    static String nested(int depth) {
        int arrays = depth - 2;
        return "{\"t\":\"x\",\"p\":{\"a\":" + "[".repeat(arrays) + "]".repeat(arrays) + "}}";
    }

    @Test
    void acceptsNestingUpToTheLimit() throws ProtocolException {
        assertThat(decode(nested(64)).payload().get("a")).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {65, 100, 100_000})
    void rejectsDeeperNestingAsTooLarge(int depth) {
        assertTooLarge(() -> decode(nested(depth)));
    }

    @Test
    void rejectsDeepNestingOfObjectsAndInIgnoredKeys() {
        String objects = "{\"t\":\"x\",\"p\":" + "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000) + "}";
        String ignored = "{\"t\":\"x\",\"junk\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        String unclosed = "{\"t\":\"x\",\"p\":{\"a\":" + "[".repeat(100_000);

        assertTooLarge(() -> decode(objects));
        assertTooLarge(() -> decode(ignored));
        assertTooLarge(() -> decode(unclosed));
    }

    @Test
    void rejectsHugeNumberLiteralsAsTooLarge() throws ProtocolException {
        String ok = "9".repeat(64);
        assertThat(decode("{\"t\":\"x\",\"p\":{\"n\":" + ok + "}}").payload().get("n").bigIntegerValue())
                .isEqualTo(new BigInteger(ok));

        assertTooLarge(() -> decode("{\"t\":\"x\",\"p\":{\"n\":" + "9".repeat(65) + "}}"));
        assertTooLarge(() -> decode("{\"t\":\"x\",\"p\":{\"n\":0." + "1".repeat(1000) + "}}"));
        assertTooLarge(() -> decode("{\"t\":\"x\",\"o\":" + "1".repeat(10_000) + "}"));
    }

    @Test
    void rejectsStringsAndNamesOverTheLimitAsTooLarge() throws ProtocolException {
        String atLimit = "s".repeat(100);
        byte[] ok = utf8("{\"t\":\"" + atLimit + "\",\"p\":{\"" + atLimit + "\":\"" + atLimit + "\"}}");
        assertThat(small.decode(ok, 0, ok.length).type()).isEqualTo(atLimit);

        for (String json : new String[] {
                "{\"t\":\"" + atLimit + "s\"}",
                "{\"t\":\"x\",\"p\":{\"k\":\"" + atLimit + "s\"}}",
                "{\"t\":\"x\",\"p\":{\"" + atLimit + "s\":1}}",
                "{\"t\":\"x\",\"" + atLimit + "s\":1}"}) {
            byte[] bytes = utf8(json);
            assertTooLarge(() -> small.decode(bytes, 0, bytes.length));
        }
    }

    @Test
    void rejectsDocumentsOverTheLimitAsTooLarge() {
        byte[] bytes = utf8("{\"t\":\"x\",\"p\":{\"pad\":\"" + "a".repeat(5000) + "\"}}");

        assertTooLarge(() -> small.decode(bytes, 0, bytes.length));
    }

    @Test
    void decodesFromHeapAndDirectBuffersWithoutTouchingThem() throws ProtocolException {
        byte[] bytes = utf8("{\"t\":\"x\",\"p\":{\"k\":\"v\"}}");
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
