package io.fanwire.common.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.fanwire.common.codec.DecodeLimits;
import io.fanwire.common.codec.JsonEnvelopeCodec;
import io.fanwire.common.protocol.ServerMessage.ErrorMessage;
import io.fanwire.common.protocol.ServerMessage.Limits;
import io.fanwire.common.protocol.ServerMessage.ServerHello;
import io.fanwire.common.protocol.ServerMessage.ServerPing;
import io.fanwire.common.protocol.ServerMessage.ServerPong;
import io.fanwire.common.protocol.ServerMessage.ServerReady;

class ServerMessageTest {

    private static final JsonEnvelopeCodec JSON = new JsonEnvelopeCodec(DecodeLimits.DEFAULT);

    private static Envelope envelope(String json) throws ProtocolException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return JSON.decode(bytes, 0, bytes.length);
    }

    @Test
    void readsServerReadyAsDocumented() throws ProtocolException {
        Envelope e = envelope("{\"c\":\"WSE\",\"t\":\"server_ready\",\"p\":{\"message\":\"Connection established\","
                + "\"details\":{\"version\":1,\"features\":{\"compression\":true,\"msgpack\":true,"
                + "\"encryption\":false,\"batch_messages\":false},\"connection_id\":\"c-1\","
                + "\"server_time\":\"2026-01-01T00:00:00.000Z\",\"user_id\":\"u-1\"}},\"id\":\"i\","
                + "\"ts\":\"2026-01-01T00:00:00.000Z\",\"seq\":1,\"v\":1}");

        assertThat(ServerMessage.from(e)).isEqualTo(new ServerReady("c-1", "u-1", 1,
                new Features(true, true, false, false), "2026-01-01T00:00:00.000Z"));
    }

    @Test
    void readsServerHello() throws ProtocolException {
        Envelope e = envelope("{\"c\":\"WSE\",\"t\":\"server_hello\",\"p\":{\"server_version\":\"0.1\","
                + "\"protocol_version\":1,\"features\":{\"compression\":true},\"limits\":{\"max_message_size\":1048576,"
                + "\"rate_limit_capacity\":100,\"rate_limit_refill\":10},\"ping_interval\":25000,"
                + "\"connection_id\":\"c-1\",\"server_time\":\"now\"}}");

        assertThat(ServerMessage.from(e)).isEqualTo(new ServerHello("0.1", 1, new Features(true, false, false, false),
                new Limits(1048576, 100, 10.0), 25000, "c-1", "now", null, null));
    }

    @Test
    void readsPingPongAndErrors() throws ProtocolException {
        assertThat(ServerMessage.from(envelope("{\"c\":\"WSE\",\"t\":\"ping\",\"p\":{\"server_time\":5}}")))
                .isEqualTo(new ServerPing(5));
        assertThat(ServerMessage.from(envelope("{\"c\":\"WSE\",\"t\":\"PONG\",\"p\":{\"client_timestamp\":1,"
                + "\"server_timestamp\":3,\"latency\":2}}")))
                .isEqualTo(new ServerPong(1, 3, 2));
        assertThat(ServerMessage.from(envelope("{\"c\":\"WSE\",\"t\":\"PONG\",\"p\":{\"server_timestamp\":3,"
                + "\"latency\":0}}")))
                .isEqualTo(new ServerPong(-1, 3, 0));
        assertThat(ServerMessage.from(envelope("{\"c\":\"WSE\",\"t\":\"error\",\"p\":{\"code\":\"RATE_LIMITED\","
                + "\"message\":\"slow\",\"recoverable\":true,\"retry_after\":1.5},\"cid\":\"r\"}")))
                .isEqualTo(new ErrorMessage("RATE_LIMITED", "slow", true, 1.5, "r"));
    }

    @Test
    void treatsNonSystemCategoriesAndUnknownTypesAsApplicationMessages() throws ProtocolException {
        Envelope update = envelope("{\"c\":\"U\",\"t\":\"server_ready\",\"p\":{}}");
        Envelope uncategorised = envelope("{\"t\":\"ping\",\"p\":{\"server_time\":5}}");
        Envelope unknown = envelope("{\"c\":\"WSE\",\"t\":\"no_such_system_event\",\"p\":{}}");

        assertThat(ServerMessage.from(update)).isEqualTo(new ApplicationMessage(update));
        assertThat(ServerMessage.from(uncategorised)).isEqualTo(new ApplicationMessage(uncategorised));
        assertThat(ServerMessage.from(unknown)).isEqualTo(new ApplicationMessage(unknown));
    }

    @Test
    void readsTokenLifetimeAndRateLimitMessagesAsDocumented() throws ProtocolException {
        assertThat(ServerMessage.from(envelope("{\"c\":\"WSE\",\"t\":\"token_expiring\","
                + "\"p\":{\"expires_at\":\"2026-03-14T10:26:50.000Z\"}}")))
                .isEqualTo(new ServerMessage.TokenExpiring("2026-03-14T10:26:50.000Z"));
        assertThat(ServerMessage.from(envelope("{\"c\":\"WSE\",\"t\":\"refresh_ok\","
                + "\"p\":{\"expires_at\":\"2026-03-14T11:26:50.000Z\"},\"cid\":\"r1\"}")))
                .isEqualTo(new ServerMessage.RefreshOk("2026-03-14T11:26:50.000Z", "r1"));
        assertThat(ServerMessage.from(envelope("{\"c\":\"WSE\",\"t\":\"rate_limit_warning\","
                + "\"p\":{\"current_rate\":55.5,\"limit\":100,\"remaining\":18,\"retry_after\":1.64}}")))
                .isEqualTo(new ServerMessage.RateLimitWarning(55.5, 100, 18, 1.64));
    }
}
