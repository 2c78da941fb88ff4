package io.fanwire.server.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/** UTF-8 validation of text messages, whole and fragmented, against the JDK's strict decoder as the oracle. */
class TextFrameValidatorTest {

    private static boolean jdkAccepts(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Whether the validator accepts {@code bytes} split into fragments at {@code cuts}. */
    private static boolean validatorAccepts(byte[] bytes, int[] cuts) {
        TextFrameValidator v = new TextFrameValidator();
        int from = 0;
        for (int cut : cuts) {
            if (!v.check(Unpooled.wrappedBuffer(bytes, from, cut - from))) {
                return false;
            }
            from = cut;
        }
        ByteBuf last = Unpooled.wrappedBuffer(bytes, from, bytes.length - from);
        return v.check(last) && pendingIsZero(v);
    }

    private static boolean pendingIsZero(TextFrameValidator v) {
        // A message may not end inside a character: checking an empty final fragment tells nothing, so look at
        // the state through a byte that is valid only at a boundary.
        return v.check(Unpooled.wrappedBuffer(new byte[] {'a'}));
    }

    /** Half well-formed text (random code points, sometimes with one byte changed), half random bytes. */
    private static byte[] randomText(SplittableRandom random) {
        if (random.nextBoolean()) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(0, 24); i > 0; i--) {
                int cp = switch (random.nextInt(4)) {
                    case 0 -> random.nextInt(0x20, 0x80);
                    case 1 -> random.nextInt(0x80, 0x800);
                    case 2 -> random.nextInt(0x800, 0xD800);
                    default -> random.nextInt(0x10000, 0x110000);
                };
                text.appendCodePoint(cp);
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 0 && random.nextInt(3) == 0) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            return bytes;
        }
        byte[] out = new byte[random.nextInt(0, 64)];
        for (int i = 0; i < out.length; i++) {
            int kind = random.nextInt(10);
            // Mostly ASCII, then lead and continuation bytes and the edges of the well-formed ranges.
            out[i] = (byte) switch (kind) {
                case 0, 1, 2, 3, 4 -> random.nextInt(0x20, 0x7F);
                case 5 -> random.nextInt(0x80, 0xC0);
                case 6 -> random.nextInt(0xC0, 0xE0);
                case 7 -> random.nextInt(0xE0, 0xF0);
                case 8 -> random.nextInt(0xF0, 0x100);
                default -> new int[] {0x80, 0xBF, 0x9F, 0xA0, 0x8F, 0x90, 0xED, 0xE0, 0xF0, 0xF4}[random.nextInt(10)];
            };
        }
        return out;
    }

    @Test
    void agreesWithTheJdkDecoderOnRandomBytesCutAnywhere() {
        SplittableRandom random = new SplittableRandom(20261208);
        int valid = 0;
        for (int n = 0; n < 200_000; n++) {
            byte[] bytes = randomText(random);
            int cutCount = bytes.length == 0 ? 0 : random.nextInt(0, 4);
            int[] cuts = random.ints(cutCount, 0, bytes.length + 1).sorted().toArray();
            boolean expected = jdkAccepts(bytes);
            valid += expected ? 1 : 0;
            assertThat(validatorAccepts(bytes, cuts)).as(HexFormat.of().formatHex(bytes)).isEqualTo(expected);
        }
        assertThat(valid).as("the generator makes valid text too").isGreaterThan(50_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"c0af", "e080af", "eda080", "edbfbf", "f08f8080", "f4908080", "f5808080", "80", "bf",
            "c2", "e282", "f09f98", "fe", "ff"})
    void illFormedSequencesAreRefused(String hex) {
        byte[] bytes = HexFormat.of().parseHex(hex);
        assertThat(jdkAccepts(bytes)).isFalse();
        assertThat(validatorAccepts(bytes, new int[0])).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"24", "c2a2", "e282ac", "ed9fbf", "ee8080", "f09f9880", "f48fbfbf", "efbbbf"})
    void wellFormedSequencesPassWhereverTheyAreCut(String hex) {
        byte[] bytes = HexFormat.of().parseHex("7b2274223a22" + hex + hex + "227d");
        for (int cut = 0; cut <= bytes.length; cut++) {
            assertThat(validatorAccepts(bytes, new int[] {cut})).as("cut at %d", cut).isTrue();
        }
    }

    @Test
    void aBadTextFrameIsAnsweredWithClose1007AndGoesNoFurther() {
        EmbeddedChannel channel = new EmbeddedChannel(new TextFrameValidator());
        TextWebSocketFrame bad = new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {'{', (byte) 0xC0, '}'}));

        assertThatThrownBy(() -> channel.writeInbound(bad)).isInstanceOf(CorruptedWebSocketFrameException.class)
                .hasMessage("bytes are not UTF-8");

        assertThat(bad.refCnt()).isZero();
        Object passed = channel.readInbound();
        assertThat(passed).isNull();
        CloseWebSocketFrame close = channel.readOutbound();
        assertThat(close.statusCode()).isEqualTo(1007);
        close.release();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aTextMessageMayNotEndInsideACharacterButBinaryAndControlFramesAreNotChecked() {
        EmbeddedChannel channel = new EmbeddedChannel(new TextFrameValidator());
        byte[] euro = {(byte) 0xE2, (byte) 0x82, (byte) 0xAC};

        // A character split over fragments, with a ping between them, is fine.
        assertThat(channel.writeInbound(new TextWebSocketFrame(false, 0, Unpooled.wrappedBuffer(euro, 0, 2)))).isTrue();
        assertThat(channel.writeInbound(new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF})))).isTrue();
        assertThat(channel.writeInbound(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(euro, 2, 1))))
                .isTrue();
        // Binary data is not text.
        assertThat(channel.writeInbound(new BinaryWebSocketFrame(false, 0, Unpooled.wrappedBuffer(new byte[] {(byte) 0xC0}))))
                .isTrue();
        assertThat(channel.writeInbound(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(new byte[] {(byte) 0xFF}))))
                .isTrue();
        for (Object frame; (frame = channel.readInbound()) != null; ) {
            io.netty.util.ReferenceCountUtil.release(frame);
        }

        assertThat(channel.writeInbound(new TextWebSocketFrame(false, 0, Unpooled.wrappedBuffer(euro, 0, 2)))).isTrue();
        io.netty.util.ReferenceCountUtil.release(channel.readInbound());
        ContinuationWebSocketFrame end = new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(new byte[] {'x'}));
        assertThatThrownBy(() -> channel.writeInbound(end)).isInstanceOf(CorruptedWebSocketFrameException.class);
        CloseWebSocketFrame close = channel.readOutbound();
        assertThat(close.statusCode()).isEqualTo(1007);
        close.release();
    }
}
