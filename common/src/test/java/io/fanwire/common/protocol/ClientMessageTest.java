package io.fanwire.common.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fanwire.common.codec.DecodeLimits;
import io.fanwire.common.codec.JsonEnvelopeCodec;
import io.fanwire.common.protocol.ClientMessage.ClientHello;
import io.fanwire.common.protocol.ClientMessage.ClientPing;
import io.fanwire.common.protocol.ClientMessage.ClientPong;

class ClientMessageTest {

    private static final JsonEnvelopeCodec JSON = new JsonEnvelopeCodec(DecodeLimits.DEFAULT);

    private static ClientMessage from(String json) throws ProtocolException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return ClientMessage.from(JSON.decode(bytes, 0, bytes.length));
    }

    @ParameterizedTest
    @ValueSource(strings = {"PONG", "pong", "Pong", "pOnG"})
    void readsAPongInAnyLetterCase(String type) throws ProtocolException {
        assertThat(from("{\"t\":\"" + type + "\",\"p\":{\"server_timestamp\":1767323045678,\"client_timestamp\":5}}"))
                .isEqualTo(new ClientPong(1767323045678L, 5));
    }

    @Test
    void readsAPongWithoutTimestamps() throws ProtocolException {
        assertThat(from("{\"type\":\"pong\"}")).isEqualTo(new ClientPong(-1, -1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pongs", "pon", "PING", "Ping"})
    void leavesOtherTypesToTheApplication(String type) throws ProtocolException {
        assertThat(from("{\"t\":\"" + type + "\"}")).isInstanceOf(ApplicationMessage.class);
    }

    @Test
    void readsAPingWithItsTimestampAndCorrelationId() throws ProtocolException {
        assertThat(from("{\"t\":\"ping\",\"p\":{\"timestamp\":1767323045678},\"cid\":\"c-1\"}"))
                .isEqualTo(new ClientPing(1767323045678L, "c-1"));
        assertThat(from("{\"t\":\"ping\"}")).isEqualTo(new ClientPing(-1, null));
    }

    @Test
    void readsClientHelloFeatures() throws ProtocolException {
        ClientMessage message = from("{\"t\":\"client_hello\",\"p\":{\"client_version\":\"js-1.0\","
                + "\"protocol_version\":1,\"features\":{\"compression\":true,\"msgpack\":true,\"encryption\":false,"
                + "\"batch_messages\":\"yes\"},\"encryption_public_key\":\"QUJD\"}}");

        assertThat(message).isEqualTo(new ClientHello("js-1.0", 1, new Features(true, true, false, false), "QUJD"));
    }

    @Test
    void defaultsAMinimalClientHello() throws ProtocolException {
        assertThat(from("{\"t\":\"client_hello\"}"))
                .isEqualTo(new ClientHello(null, Envelope.PROTOCOL_VERSION, Features.NONE, null));
        assertThat(from("{\"t\":\"client_hello\",\"p\":{\"features\":[true]}}"))
                .isEqualTo(new ClientHello(null, Envelope.PROTOCOL_VERSION, Features.NONE, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"t\":\"ping\",\"p\":{\"timestamp\":\"now\"}}",
            "{\"t\":\"PONG\",\"p\":{\"client_timestamp\":true}}",
            "{\"t\":\"client_hello\",\"p\":{\"client_version\":1}}",
            "{\"t\":\"client_hello\",\"p\":{\"protocol_version\":{}}}",
            "{\"t\":\"client_hello\",\"p\":{\"encryption_public_key\":[]}}",
            "{\"t\":\"refresh\",\"p\":{}}",
            "{\"t\":\"refresh\",\"p\":{\"token\":42}}"})
    void rejectsSystemKeysOfTheWrongType(String json) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> from(json));

        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_MESSAGE);
        assertThat(e.fatal()).isFalse();
    }

    @Test
    void deliversAnythingElseUntouched() throws ProtocolException {
        String json = "{\"t\":\"chat_message\",\"p\":{\"text\":\"hi\"},\"cid\":\"c\"}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        Envelope envelope = JSON.decode(bytes, 0, bytes.length);

        assertThat(ClientMessage.from(envelope)).isEqualTo(new ApplicationMessage(envelope));
    }

    @Test
    void readsARefreshWithItsCorrelationIdAndKeepsTheTokenOutOfToString() throws ProtocolException {
        ClientMessage refresh = from("{\"t\":\"refresh\",\"p\":{\"token\":\"a.b.c\"},\"cid\":\"r1\"}");

        assertThat(refresh).isEqualTo(new ClientMessage.Refresh("a.b.c", "r1"));
        assertThat(refresh.toString()).doesNotContain("a.b.c");
    }
}
