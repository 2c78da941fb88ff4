package io.fanwire.server.it;

import static io.fanwire.server.testing.RawClient.upgradeRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fanwire.server.FanwireServer;
import io.fanwire.server.testing.ApiClient;
import io.fanwire.server.testing.ApiClient.Answer;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.RawClient;
import io.fanwire.server.testing.RawClient.HttpAnswer;
import io.fanwire.server.testing.TestServers;

/** The server API on a port of its own ({@code api.port}): served there only, never upgraded to WebSocket. */
class ApiPortIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static FanwireServer server;

    @BeforeAll
    static void start() {
        server = TestServers.start(c -> c.apiPort(0));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theApiAnswersOnItsOwnPortAndItsPublicationsReachTheMainPort() {
        assertThat(server.apiPort()).isNotEqualTo(server.port());
        ApiClient admin = ApiClient.of(server.apiPort());
        assertThat(admin.get("/api/info").status()).isEqualTo(200);
        assertThat(admin.get("/health/live").status()).isEqualTo(200);
        assertThat(admin.get("/health/ready").status()).isEqualTo(200);
        try (JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("listener"))) {
            client.nextOfType("server_ready");
            client.sendText("{\"t\":\"subscription\",\"p\":{\"topics\":[\"admin.pub\"]}}");
            client.nextOfType("subscription_update");

            Answer published = admin.post("/api/publish", "{\"topic\":\"admin.pub\",\"type\":\"note\",\"data\":{\"x\":1}}");

            assertThat(published.status()).isEqualTo(200);
            JsonNode note = client.nextOfType("note");
            assertThat(note.path("o").asLong()).isEqualTo(published.json().path("offset").asLong());
            assertThat(admin.get("/api/presence?topic=admin.pub").status()).isEqualTo(200);
        }
    }

    @Test
    void theMainPortAnswers404ForTheApi() {
        ApiClient main = ApiClient.of(server.port());
        long before = server.stats().apiRequests.get("publish_404");
        for (Answer answer : new Answer[] {main.get("/api/info"), main.post("/api/publish", "{\"topic\":\"x\"}"),
                main.get("/api/nope")}) {
            assertThat(answer.status()).isEqualTo(404);
            assertThat(answer.code()).isEqualTo("NOT_FOUND");
            // Nothing hints at where the API is.
            assertThat(answer.json().path("message").asText()).startsWith("no route /api/");
        }
        assertThat(server.stats().apiRequests.get("publish_404")).isEqualTo(before + 1);
        assertThat(server.stats().authFailures.get("api_key")).isZero();
        assertThat(main.get("/health/live").status()).isEqualTo(200);
    }

    @Test
    void theApiPortNeverUpgrades() {
        long accepted = server.stats().connectionsAccepted.sum();
        try (RawClient client = new RawClient(server.apiPort())) {
            HttpAnswer answer = client.request(upgradeRequest("/ws",
                    "Authorization: Bearer " + TestServers.token("sneaky")));
            assertThat(answer.status()).isEqualTo(404);
        }
        assertThat(server.stats().connectionsAccepted.sum()).isEqualTo(accepted);
    }

    @Test
    void aBodyOverTheLimitGetsAJson413() throws Exception {
        long before = server.stats().apiRequests.get("broadcast_413");
        String head = "POST /api/broadcast HTTP/1.1\r\nHost: x\r\nX-API-Key: " + TestServers.API_KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: " + (64 * 1024 + 1) + "\r\n";
        try (RawClient client = new RawClient(server.apiPort())) {
            HttpAnswer answer = client.request(head + "\r\n");
            assertThat(answer.status()).isEqualTo(413);
            JsonNode body = JSON.readTree(answer.body());
            assertThat(body.path("code").asText()).isEqualTo("MESSAGE_TOO_LARGE");
            assertThat(body.path("message").asText()).isEqualTo("request body larger than 65536 bytes");
            // The body that follows is skipped, and the connection serves the next request.
            client.write(new byte[64 * 1024 + 1]);
            assertThat(client.request("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
        }
        try (RawClient client = new RawClient(server.apiPort())) {
            HttpAnswer answer = client.request(head + "Expect: 100-continue\r\n\r\n");
            assertThat(answer.status()).isEqualTo(413);
            assertThat(JSON.readTree(answer.body()).path("code").asText()).isEqualTo("MESSAGE_TOO_LARGE");
            assertThat(answer.headers().get("connection")).isEqualTo("close");
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(server.stats().apiRequests.get("broadcast_413")).isEqualTo(before + 2);
    }

    @Test
    void aSecondServerCannotTakeTheSameApiPort() {
        int taken = server.apiPort();
        assertThatThrownBy(() -> TestServers.start(c -> c.apiPort(taken)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot listen for the server API on 127.0.0.1:" + taken);
        // The failed server released its main port and threads; this one still answers.
        assertThat(ApiClient.of(taken).get("/api/info").status()).isEqualTo(200);
    }
}
