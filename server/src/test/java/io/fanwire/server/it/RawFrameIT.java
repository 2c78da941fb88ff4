package io.fanwire.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.Deflater;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.ControlGroup;
import io.fanwire.server.testing.Exposition;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.RawClient;
import io.fanwire.server.testing.TestServers;

/**
 * What Autobahn never sends, on the authenticated endpoint (a valid token in the upgrade): each attack is
 * written byte by byte with {@link RawClient}, and each test checks the three things of docs RELIABILITY
 * (the catalogue's rule): the attacker's close code, the counters that moved on {@code /metrics}, and that a
 * control group of healthy JDK clients subscribed to a topic received every publication made during the
 * attack, in order.
 */
class RawFrameIT {

    private static final int LIMIT = 64 * 1024;
    private static final String TOPIC = "control";
    private static final int CONTROL_CLIENTS = 3;
    private static final int PUBLICATIONS = 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static FanwireServer server;

    private ControlGroup control;

    @BeforeAll
    static void start() {
        server = TestServers.start(c -> c.maxMessageBytes(LIMIT).maxFrameBytes(LIMIT));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void connectControlGroup() {
        control = ControlGroup.connect(server, TOPIC, CONTROL_CLIENTS);
    }

    @AfterEach
    void closeControlGroup() {
        control.close();
    }

    @Test
    void unmaskedClientFrameClosesWith1002() {
        attack(raw -> raw.sendFrame(0x80, 1, "{\"t\":\"ping\",\"p\":{}}".getBytes(StandardCharsets.UTF_8), false),
                CloseCodes.PROTOCOL_ERROR, "protocol_error", "FRAME_1002");
    }

    @Test
    void rsvBitsWithoutAnExtensionCloseWith1002() {
        attack(raw -> raw.sendFrame(0x80 | 0x40, 1, "{}".getBytes(StandardCharsets.UTF_8), true),
                CloseCodes.PROTOCOL_ERROR, "protocol_error", "FRAME_1002");
    }

    @Test
    void reservedDataOpcodeClosesWith1002() {
        attack(raw -> raw.sendFrame(true, 3, new byte[] {1, 2}), CloseCodes.PROTOCOL_ERROR, "protocol_error",
                "FRAME_1002");
    }

    @Test
    void reservedControlOpcodeClosesWith1002() {
        attack(raw -> raw.sendFrame(true, 0xB, new byte[] {1, 2}), CloseCodes.PROTOCOL_ERROR, "protocol_error",
                "FRAME_1002");
    }

    @Test
    void fragmentedControlFrameClosesWith1002() {
        attack(raw -> raw.sendFrame(false, 9, "ping".getBytes(StandardCharsets.UTF_8)), CloseCodes.PROTOCOL_ERROR,
                "protocol_error", "FRAME_1002");
    }

    @Test
    void controlFrameOver125BytesClosesWith1002() {
        attack(raw -> raw.sendFrame(true, 9, new byte[126]), CloseCodes.PROTOCOL_ERROR, "protocol_error",
                "FRAME_1002");
    }

    @Test
    void absurd64BitLengthClosesWith1009WithoutWaitingForThePayload() {
        // 2^62 bytes claimed and none sent: the close can only come from the header, before any allocation.
        attack(raw -> raw.write(RawClient.header64(0x80, 2, 1L << 62, true)), CloseCodes.MESSAGE_TOO_BIG,
                "message_too_big", "FRAME_1009");
        assertServerStillServes();
    }

    @Test
    void frameAboveTheLimitClosesWith1009() {
        byte[] payload = new byte[LIMIT + 1];
        Arrays.fill(payload, (byte) 'a');
        attack(raw -> raw.sendFrame(true, 1, payload), CloseCodes.MESSAGE_TOO_BIG, "message_too_big", "FRAME_1009");
    }

    @Test
    void invalidUtf8SplitAcrossFragmentsClosesWith1007() {
        // U+20AC is E2 82 AC; the first fragment ends inside it and the continuation goes on with '(' instead.
        attack(raw -> {
            raw.sendFrame(false, 1, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xE2, (byte) 0x82});
            raw.sendFrame(true, 0, new byte[] {'(', '"', '}'});
        }, CloseCodes.INVALID_PAYLOAD, "invalid_payload", "FRAME_1007");
    }

    @Test
    void zlibBombClosesWith1009() {
        byte[] bomb = compressedPrefix(deflate(("{\"t\":\"x\",\"p\":{\"a\":\"" + "a".repeat(4 * 1024 * 1024) + "\"}}")
                .getBytes(StandardCharsets.UTF_8)));
        assertThat(bomb.length).isLessThan(LIMIT);
        attack(raw -> raw.sendFrame(true, 2, bomb), CloseCodes.MESSAGE_TOO_BIG, "message_too_big",
                "MESSAGE_TOO_LARGE");
    }

    @Test
    void deeplyNestedJsonClosesWith1009() {
        String nested = "{\"t\":\"x\",\"p\":{\"a\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}}";
        attack(raw -> raw.sendText(nested), CloseCodes.MESSAGE_TOO_BIG, "message_too_big", "MESSAGE_TOO_LARGE");
    }

    @Test
    void msgpackArrayDeclaring2To32ElementsClosesWith1009() {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(new byte[] {'M', ':'});
        m.write(0x82); // map of 2
        m.write(0xA1);
        m.write('t');
        m.write(0xA1);
        m.write('x');
        m.write(0xA1);
        m.write('p');
        m.write(0x81); // the payload, a map of 1
        m.write(0xA1);
        m.write('a');
        m.write(0xDD); // array 32 declaring 2^32 - 1 elements, followed by none
        m.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        byte[] frame = m.toByteArray();
        attack(raw -> raw.sendFrame(true, 2, frame), CloseCodes.MESSAGE_TOO_BIG, "message_too_big",
                "MESSAGE_TOO_LARGE");
    }

    @Test
    void malformedWronglyTypedAndUnknownActionMessagesAreAnsweredAndTheConnectionStays() {
        String errors = "fanwire_protocol_errors_total{code=\"INVALID_MESSAGE\"}";
        Exposition before = Exposition.scrape(server.port());
        try (RawClient raw = attacker()) {
            control.publish(PUBLICATIONS / 2);
            raw.sendText("{\"t\":\"chat\",\"p\":");
            assertThat(nextNonPing(raw).path("p").path("code").asText()).isEqualTo("INVALID_MESSAGE");
            // msgpack whose payload is an array, not a map.
            raw.sendFrame(true, 2, new byte[] {'M', ':', (byte) 0x82, (byte) 0xA1, 't', (byte) 0xA1, 'x',
                    (byte) 0xA1, 'p', (byte) 0x91, 1});
            assertThat(nextNonPing(raw).path("p").path("code").asText()).isEqualTo("INVALID_MESSAGE");
            raw.sendText("{\"t\":\"subscription\",\"p\":{\"action\":\"explode\",\"topics\":[\"" + TOPIC + "\"]}}");
            assertThat(nextNonPing(raw).path("p").path("code").asText()).isEqualTo("INVALID_ACTION");
            control.publish(PUBLICATIONS - PUBLICATIONS / 2);
            raw.sendText("{\"t\":\"ping\",\"p\":{}}");
            assertThat(nextNonPing(raw).path("t").asText()).isEqualTo("PONG");
        }
        String actions = "fanwire_protocol_errors_total{code=\"INVALID_ACTION\"}";
        Await.until(Duration.ofSeconds(5), () -> moved(before, errors) == 2 && moved(before, actions) == 1,
                () -> errors + " moved by " + moved(before, errors) + " (expected: 2), " + actions + " by "
                        + moved(before, actions) + " (expected: 1)");
        control.assertReceivedEverythingInOrder();
    }

    /**
     * Connects an attacker with a valid token, lets it write its frames while the control group's topic gets
     * {@link #PUBLICATIONS} publications, and checks the close code, the two counters, and the control group.
     */
    private void attack(Consumer<RawClient> frames, int closeCode, String disconnectLabel, String errorLabel) {
        String disconnects = "fanwire_disconnects_total{code=\"" + disconnectLabel + "\"}";
        String errors = "fanwire_protocol_errors_total{code=\"" + errorLabel + "\"}";
        Exposition before = Exposition.scrape(server.port());
        try (RawClient raw = attacker()) {
            control.publish(PUBLICATIONS / 2);
            frames.accept(raw);
            control.publish(PUBLICATIONS - PUBLICATIONS / 2);
            assertThat(raw.readUntilClose().closeCode()).isEqualTo(closeCode);
            assertThat(raw.closedByServer()).as("the server closed the TCP connection").isTrue();
        }
        Await.until(Duration.ofSeconds(5), () -> moved(before, disconnects) == 1 && moved(before, errors) == 1,
                () -> "moved by one: " + disconnects + " (" + moved(before, disconnects) + "), " + errors + " ("
                        + moved(before, errors) + ")");
        control.assertReceivedEverythingInOrder();
    }

    /** A raw client upgraded on {@code /ws} with a valid token, past its {@code server_ready}. */
    private static RawClient attacker() {
        RawClient raw = new RawClient(server.port());
        RawClient.HttpAnswer answer = raw.request(RawClient.upgradeRequest("/ws",
                "Authorization: Bearer " + TestServers.token("attacker")));
        assertThat(answer.status()).isEqualTo(101);
        assertThat(raw.readFrame().text()).contains("server_ready");
        return raw;
    }

    /** The next data frame from the server as JSON, skipping the server's {@code ping} messages. */
    private static JsonNode nextNonPing(RawClient raw) {
        for (int i = 0; i < 100; i++) {
            RawClient.Frame frame = raw.readFrame();
            assertThat(frame.opcode()).as("a data frame").isIn(1, 2);
            JsonNode json;
            try {
                json = JSON.readTree(frame.text());
            } catch (JsonProcessingException e) {
                throw new AssertionError("not JSON: " + frame.text(), e);
            }
            if (!"ping".equals(json.path("t").asText())) {
                return json;
            }
        }
        throw new AssertionError("only pings within 100 frames");
    }

    private static double moved(Exposition before, String series) {
        return Exposition.scrape(server.port()).value(series).orElse(0) - before.value(series).orElse(0);
    }

    private static void assertServerStillServes() {
        try (JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("after"))) {
            client.nextOfType("server_ready");
            client.sendText("{\"t\":\"ping\",\"p\":{}}");
            assertThat(client.nextOfType("PONG")).isNotNull();
        }
    }

    private static byte[] deflate(byte[] input) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        try {
            deflater.setInput(input);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            while (!deflater.finished()) {
                out.write(chunk, 0, deflater.deflate(chunk));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static byte[] compressedPrefix(byte[] zlib) {
        byte[] out = new byte[zlib.length + 2];
        out[0] = 'C';
        out[1] = ':';
        System.arraycopy(zlib, 0, out, 2, zlib.length);
        return out;
    }
}
