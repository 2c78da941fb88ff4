package io.fanwire.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fanwire.server.FanwireServer;
import io.fanwire.server.testing.ApiClient;
import io.fanwire.server.testing.ApiClient.Answer;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.RawClient;
import io.fanwire.server.testing.RawClient.HttpAnswer;
import io.fanwire.server.testing.TestServers;

/**
 * The server API on the main port, driven by the JDK's HTTP client (and raw sockets where the bytes matter),
 * with JDK WebSocket clients as the subscribers that must see its effects.
 */
class ServerApiIT {

    private static FanwireServer server;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        server = TestServers.start();
        api = ApiClient.of(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JdkWsClient connect(String user) {
        JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token(user));
        client.nextOfType("server_ready");
        return client;
    }

    private static JsonNode subscribe(JdkWsClient client, String topic) {
        client.sendText("{\"t\":\"subscription\",\"p\":{\"topics\":[\"" + topic + "\"]}}");
        JsonNode reply = client.nextOfType("subscription_update").path("p");
        assertThat(reply.path("success_topics").toString()).isEqualTo("[\"" + topic + "\"]");
        return reply.path("recovery").path(topic);
    }

    private static long count(String label) {
        return server.stats().apiRequests.get(label);
    }

    @Test
    void publishAnswersTheStampAndSubscribersReceiveThePublication() {
        try (JdkWsClient client = connect("reader")) {
            JsonNode baseline = subscribe(client, "api.pub");
            String epoch = baseline.path("epoch").asText();
            long before = count("publish_200");

            Answer answer = api.post("/api/publish",
                    "{\"topic\":\"api.pub\",\"type\":\"chat_message\",\"data\":{\"text\":\"hi\"}}");

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.header("content-type")).isEqualTo("application/json");
            assertThat(answer.json().path("epoch").asText()).isEqualTo(epoch);
            long offset = answer.json().path("offset").asLong();
            assertThat(offset).isEqualTo(baseline.path("offset").asLong() + 1);
            JdkWsClient.Received received = client.next(Duration.ofSeconds(5));
            assertThat(received.data()).startsWith("{\"tp\":\"api.pub\",\"e\":\"" + epoch + "\",\"o\":" + offset + ",");
            JsonNode publication = received.json();
            assertThat(publication.path("c").asText()).isEqualTo("U");
            assertThat(publication.path("t").asText()).isEqualTo("chat_message");
            assertThat(publication.path("p").path("text").asText()).isEqualTo("hi");

            Answer untyped = api.post("/api/publish", "{\"topic\":\"api.pub\"}");
            assertThat(untyped.status()).isEqualTo(200);
            JsonNode plain = client.nextJson();
            assertThat(plain.path("t").asText()).isEqualTo("publication");
            assertThat(plain.path("o").asLong()).isEqualTo(offset + 1);
            assertThat(plain.path("p").isObject()).isTrue();
            assertThat(count("publish_200")).isEqualTo(before + 2);
        }
    }

    @Test
    void broadcastPublishesToEachTopicOnceAndReportsEachFailure() {
        try (JdkWsClient client = connect("broadcast-reader")) {
            subscribe(client, "b.one");
            subscribe(client, "b.two");

            Answer answer = api.post("/api/broadcast", "{\"topics\":[\"b.one\",\"bad topic\",\"b.two\",\"b.one\"],"
                    + "\"type\":\"news\",\"data\":{\"n\":1}}");

            assertThat(answer.status()).isEqualTo(200);
            JsonNode results = answer.json().path("results");
            assertThat(results).hasSize(3);
            assertThat(results.get(0).path("topic").asText()).isEqualTo("b.one");
            assertThat(results.get(0).path("epoch").asText()).hasSize(8);
            assertThat(results.get(0).path("offset").asLong()).isPositive();
            assertThat(results.get(1).path("topic").asText()).isEqualTo("bad topic");
            assertThat(results.get(1).path("error").path("code").asText()).isEqualTo("INVALID_SUBSCRIPTION");
            assertThat(results.get(1).path("error").path("message").asText()).contains("' '");
            assertThat(results.get(2).path("topic").asText()).isEqualTo("b.two");
            Set<String> received = Set.of(client.nextOfType("news").path("tp").asText(),
                    client.nextOfType("news").path("tp").asText());
            assertThat(received).containsExactlyInAnyOrder("b.one", "b.two");
        }
        assertThat(api.post("/api/broadcast", "{\"topics\":[]}").code()).isEqualTo("INVALID_MESSAGE");
        assertThat(api.post("/api/broadcast", "{\"topics\":\"b.one\"}").status()).isEqualTo(400);
        assertThat(api.post("/api/broadcast", "{\"topics\":[1]}").json().path("message").asText())
                .isEqualTo("topics[0]: expected a string");
        assertThat(api.post("/api/broadcast", "{\"data\":{}}").json().path("message").asText()).startsWith("topics: missing");
    }

    @Test
    void disconnectClosesEveryConnectionOfAUserOrOneConnection() {
        JdkWsClient first = connect("kick-me");
        JdkWsClient second = connect("kick-me");
        try (JdkWsClient other = JdkWsClient.connect(server.port(), TestServers.token("stay"))) {
            String connectionId = other.nextOfType("server_ready").path("p").path("details").path("connection_id").asText();

            Answer byUser = api.post("/api/disconnect", "{\"user_id\":\"kick-me\"}");
            assertThat(byUser.status()).isEqualTo(200);
            assertThat(byUser.json().path("disconnected").asInt()).isEqualTo(2);
            for (JdkWsClient kicked : List.of(first, second)) {
                assertThat(kicked.awaitCloseCode(Duration.ofSeconds(5))).isEqualTo(1000);
                assertThat(kicked.closeReason()).isEqualTo("disconnected by the server");
                kicked.close();
            }

            Answer byId = api.post("/api/disconnect",
                    "{\"connection_id\":\"" + connectionId + "\",\"code\":4300,\"reason\":\"move along\"}");
            assertThat(byId.json().path("disconnected").asInt()).isEqualTo(1);
            assertThat(other.awaitCloseCode(Duration.ofSeconds(5))).isEqualTo(4300);
            assertThat(other.closeReason()).isEqualTo("move along");

            assertThat(api.post("/api/disconnect", "{\"user_id\":\"nobody\"}").json().path("disconnected").asInt())
                    .isZero();
            assertThat(api.post("/api/disconnect", "{\"connection_id\":\"" + connectionId + "\"}").json()
                    .path("disconnected").asInt()).isZero();
        }
    }

    @Test
    void disconnectRefusesWhatItCannotDo() {
        Map<String, String> refusals = Map.of(
                "{\"user_id\":\"a\",\"connection_id\":\"00000000-0000-0000-0000-000000000000\"}", "exactly one of",
                "{\"reason\":\"x\"}", "exactly one of",
                "{\"user_id\":\"a\",\"code\":999}", "code: 999",
                "{\"user_id\":\"a\",\"code\":1005}", "code: 1005",
                "{\"user_id\":\"a\",\"code\":1000.5}", "code: 1000.5",
                "{\"user_id\":\"a\",\"code\":\"1000\"}", "code: \"1000\"",
                "{\"user_id\":\"a\",\"reason\":\"" + "r".repeat(124) + "\"}", "reason: longer than 123",
                "{\"connection_id\":\"1-2-3-4-5\"}", "is not a connection id",
                "{\"user_id\":\"\"}", "user_id: empty",
                "{\"user_id\":7}", "user_id: expected a string");
        refusals.forEach((body, message) -> {
            Answer answer = api.post("/api/disconnect", body);
            assertThat(answer.status()).as(body).isEqualTo(400);
            assertThat(answer.code()).as(body).isEqualTo("INVALID_MESSAGE");
            assertThat(answer.json().path("message").asText()).as(body).contains(message);
        });
    }

    @Test
    void presenceListsWhoIsInATopic() {
        try (JdkWsClient pat = connect("pat")) {
            pat.sendText("{\"t\":\"subscription\",\"p\":{\"topics\":[\"lobby.api\"],\"presence\":{\"status\":\"here\"}}}");
            pat.nextOfType("subscription_update");

            Answer answer = api.get("/api/presence?topic=lobby.api");

            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.json().path("topic").asText()).isEqualTo("lobby.api");
            JsonNode user = answer.json().path("users").path("pat");
            assertThat(user.path("data").path("status").asText()).isEqualTo("here");
            assertThat(user.path("connections").asInt()).isEqualTo(1);
        }
        assertThat(api.get("/api/presence?topic=nobody.here").json().path("users").isEmpty()).isTrue();
        Answer missing = api.get("/api/presence");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.code()).isEqualTo("INVALID_MESSAGE");
        Answer invalid = api.get("/api/presence?topic=caf%C3%A9");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.code()).isEqualTo("INVALID_SUBSCRIPTION");
        Answer post = api.post("/api/presence", "{}");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("allow")).isEqualTo("GET, HEAD");
    }

    @Test
    void historyAnswersStampedPublicationsAfterAPosition() {
        Answer unknown = api.get("/api/history?topic=hist.never");
        assertThat(unknown.status()).isEqualTo(200);
        assertThat(unknown.json().path("epoch").asText()).as("a read creates no stream").isEmpty();
        assertThat(unknown.json().path("offset").asLong()).isZero();
        // The stream exists once something was published: that is the position to read from.
        assertThat(api.post("/api/publish", "{\"topic\":\"hist.api\",\"type\":\"tick\",\"data\":{\"n\":0}}")
                .status()).isEqualTo(200);
        Answer start = api.get("/api/history?topic=hist.api");
        assertThat(start.status()).isEqualTo(200);
        String epoch = start.json().path("epoch").asText();
        long offset = start.json().path("offset").asLong();
        assertThat(start.json().path("complete").asBoolean()).isTrue();
        assertThat(start.json().path("publications")).isEmpty();
        for (int i = 1; i <= 5; i++) {
            assertThat(api.post("/api/publish", "{\"topic\":\"hist.api\",\"type\":\"tick\",\"data\":{\"n\":" + i + "}}")
                    .status()).isEqualTo(200);
        }

        Answer all = api.get("/api/history?topic=hist.api&since_epoch=" + epoch + "&since_offset=" + offset);

        assertThat(all.status()).isEqualTo(200);
        JsonNode page = all.json();
        assertThat(page.path("topic").asText()).isEqualTo("hist.api");
        assertThat(page.path("epoch").asText()).isEqualTo(epoch);
        assertThat(page.path("offset").asLong()).isEqualTo(offset + 5);
        assertThat(page.path("complete").asBoolean()).isTrue();
        List<JsonNode> publications = new ArrayList<>();
        page.path("publications").forEach(publications::add);
        assertThat(publications).hasSize(5);
        for (int i = 0; i < 5; i++) {
            JsonNode p = publications.get(i);
            assertThat(p.path("tp").asText()).isEqualTo("hist.api");
            assertThat(p.path("e").asText()).isEqualTo(epoch);
            assertThat(p.path("o").asLong()).isEqualTo(offset + i + 1);
            assertThat(p.path("t").asText()).isEqualTo("tick");
            assertThat(p.path("p").path("n").asInt()).isEqualTo(i + 1);
        }

        JsonNode limited = api.get("/api/history?topic=hist.api&since_epoch=" + epoch + "&since_offset=" + offset
                + "&limit=2").json();
        assertThat(limited.path("publications")).hasSize(2);
        assertThat(limited.path("complete").asBoolean()).isFalse();
        JsonNode otherEpoch = api.get("/api/history?topic=hist.api&since_epoch=ffffffff&since_offset=1").json();
        assertThat(otherEpoch.path("complete").asBoolean()).isEqualTo(epoch.equals("ffffffff"));
    }

    @Test
    void historyRefusesBadParameters() {
        Map<String, String> refusals = Map.of(
                "?topic=h&since_epoch=abcd1234", "go together",
                "?topic=h&since_offset=1", "go together",
                "?topic=h&since_epoch=abcd1234&since_offset=-1", "since_offset: -1",
                "?topic=h&since_epoch=abcd1234&since_offset=x", "not a whole number",
                "?topic=h&limit=0", "limit: 0 (expected: 1-1000)",
                "?topic=h&limit=1001", "limit: 1001 (expected: 1-1000)",
                "?topic=h&topic=i", "topic: given more than once");
        refusals.forEach((query, message) -> {
            Answer answer = api.get("/api/history" + query);
            assertThat(answer.status()).as(query).isEqualTo(400);
            assertThat(answer.code()).as(query).isEqualTo("INVALID_MESSAGE");
            assertThat(answer.json().path("message").asText()).as(query).contains(message);
        });
        assertThat(api.get("/api/history?topic=a%20b").code()).isEqualTo("INVALID_SUBSCRIPTION");
        try (RawClient client = new RawClient(server.port())) {
            HttpAnswer answer = client.request("GET /api/history?topic=h&limit=%zz HTTP/1.1\r\nHost: x\r\nX-API-Key: "
                    + TestServers.API_KEY + "\r\n\r\n");
            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.body()).contains("malformed query string");
        }
    }

    @Test
    void theKeyIsRequiredAsXApiKeyOrAuthorizationApikey() {
        long failures = server.stats().authFailures.get("api_key");
        long unauthorized = count("info_401");

        Answer none = ApiClient.withHeaders(server.port()).get("/api/info");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.code()).isEqualTo("AUTH_FAILED");
        assertThat(none.header("www-authenticate")).isEqualTo("apikey");
        String wrong = "wrong-key-0123456789";
        assertThat(ApiClient.withHeaders(server.port(), "X-API-Key", wrong).get("/api/info").status()).isEqualTo(401);
        assertThat(ApiClient.withHeaders(server.port(), "Authorization", "apikey " + wrong).get("/api/info").status())
                .isEqualTo(401);
        assertThat(ApiClient.withHeaders(server.port(), "Authorization", "Bearer " + TestServers.API_KEY)
                .get("/api/info").status()).isEqualTo(401);
        assertThat(ApiClient.withHeaders(server.port(), "X-API-Key", TestServers.API_KEY + "x")
                .post("/api/publish", "{\"topic\":\"k\"}").status()).isEqualTo(401);

        assertThat(ApiClient.withHeaders(server.port(), "X-API-Key", TestServers.API_KEY).get("/api/info").status())
                .isEqualTo(200);
        Answer scheme = ApiClient.withHeaders(server.port(), "Authorization", "ApiKey " + TestServers.API_KEY)
                .get("/api/info");
        assertThat(scheme.status()).isEqualTo(200);
        assertThat(scheme.json().path("node_id").asText()).isNotEmpty();
        assertThat(scheme.json().path("api").path("requests").isObject()).isTrue();

        assertThat(server.stats().authFailures.get("api_key")).isEqualTo(failures + 5);
        assertThat(count("info_401")).isEqualTo(unauthorized + 4);
        // The key is checked before anything is revealed about routes.
        assertThat(ApiClient.withHeaders(server.port()).get("/api/nope").status()).isEqualTo(401);
        Answer unknown = api.get("/api/nope");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.code()).isEqualTo("NOT_FOUND");
        assertThat(count("unknown_404")).isPositive();
    }

    @Test
    void badBodiesAreRefusedWithACodeThatSaysWhy() {
        Map<String, String> invalid = Map.ofEntries(
                Map.entry("{", "malformed JSON"),
                Map.entry("", "empty body"),
                Map.entry("[1]", "expected a JSON object"),
                Map.entry("null", "expected a JSON object"),
                Map.entry("{\"topic\":\"a\"} {}", "malformed JSON"),
                Map.entry("{\"topic\":\"a\",\"topic\":\"b\"}", "Duplicate field 'topic'"),
                Map.entry("{\"topic\":1}", "topic: expected a string"),
                Map.entry("{\"data\":{}}", "topic: missing"),
                Map.entry("{\"topic\":\"a\",\"data\":[1]}", "data: expected a JSON object"),
                Map.entry("{\"topic\":\"a\",\"type\":\"\"}", "type: empty"),
                Map.entry("{\"topic\":\"a\",\"type\":5}", "type: expected a string"),
                Map.entry("{\"topic\":\"a\",\"extra\":1}", "unknown field 'extra' (expected: topic, type, data)"),
                Map.entry("{\"topic\":\"a\",\"data\":" + "[".repeat(70) + "]".repeat(70) + "}", "nesting depth"),
                Map.entry("{\"topic\":\"a\",\"data\":{\"n\":" + "9".repeat(100) + "}}", "Number value length"));
        long before = count("publish_400");
        invalid.forEach((body, message) -> {
            Answer answer = api.post("/api/publish", body);
            assertThat(answer.status()).as(body).isEqualTo(400);
            assertThat(answer.code()).as(body).isEqualTo("INVALID_MESSAGE");
            assertThat(answer.json().path("message").asText()).as(body).contains(message);
        });
        assertThat(count("publish_400")).isEqualTo(before + invalid.size());

        Answer topic = api.post("/api/publish", "{\"topic\":\"a b\"}");
        assertThat(topic.status()).isEqualTo(400);
        assertThat(topic.code()).isEqualTo("INVALID_SUBSCRIPTION");
        assertThat(api.post("/api/publish", "{\"topic\":\"" + "t".repeat(256) + "\"}").code())
                .isEqualTo("INVALID_SUBSCRIPTION");
    }

    @Test
    void methodsAndContentTypesAreChecked() {
        Answer get = api.get("/api/publish");
        assertThat(get.status()).isEqualTo(405);
        assertThat(get.code()).isEqualTo("METHOD_NOT_ALLOWED");
        assertThat(get.header("allow")).isEqualTo("POST");
        Answer delete = api.send(api.request("/api/info").DELETE().build());
        assertThat(delete.status()).isEqualTo(405);
        assertThat(delete.header("allow")).isEqualTo("GET, HEAD");
        Answer head = api.send(api.request("/api/info").HEAD().build());
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.response().body()).isEmpty();

        String body = "{\"topic\":\"ct\"}";
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "application/json; charset=iso-8859-1")) {
            Answer answer = api.send(api.request("/api/publish").header("Content-Type", type)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertThat(answer.status()).as(type).isEqualTo(415);
            assertThat(answer.code()).as(type).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
        }
        for (String type : List.of("application/json; charset=UTF-8", "Application/JSON")) {
            Answer answer = api.send(api.request("/api/publish").header("Content-Type", type)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertThat(answer.status()).as(type).isEqualTo(200);
        }
        Answer untyped = api.send(api.request("/api/publish").POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(untyped.status()).isEqualTo(200);
    }

    @Test
    void aBodyOverTheLimitIsRefusedBeforeItIsRead() {
        try (RawClient client = new RawClient(server.port())) {
            HttpAnswer answer = client.request("POST /api/publish HTTP/1.1\r\nHost: x\r\nX-API-Key: " + TestServers.API_KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + (64 * 1024 + 1) + "\r\n\r\n");
            assertThat(answer.status()).isEqualTo(413);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() {
        String key = "X-API-Key: " + TestServers.API_KEY + "\r\n";
        String publish = "{\"topic\":\"pipe.api\",\"data\":{\"n\":1}}";
        try (RawClient client = new RawClient(server.port())) {
            client.write(("POST /api/publish HTTP/1.1\r\nHost: x\r\n" + key + "Content-Type: application/json\r\n"
                    + "Content-Length: " + publish.length() + "\r\n\r\n" + publish
                    + "GET /api/nope HTTP/1.1\r\nHost: x\r\n" + key + "\r\n"
                    + "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /api/history?topic=pipe.api HTTP/1.1\r\nHost: x\r\n" + key + "\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            List<HttpAnswer> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(client.readAnswer());
            }
            assertThat(answers.stream().map(HttpAnswer::status).collect(Collectors.toList()))
                    .containsExactly(200, 404, 200, 200);
            assertThat(answers.get(0).body()).contains("\"offset\":");
            assertThat(answers.get(2).body()).contains("live");
            assertThat(answers.get(3).body()).contains("\"topic\":\"pipe.api\"");
        }
    }

    @Test
    void theApiIsOffWithoutAKey() {
        try (FanwireServer keyless = TestServers.start(c -> c.apiKey(null))) {
            ApiClient client = ApiClient.of(keyless.port());
            for (Answer answer : List.of(client.get("/api/info"), client.post("/api/publish", "{\"topic\":\"x\"}"))) {
                assertThat(answer.status()).isEqualTo(404);
                assertThat(answer.json().path("message").asText()).contains("api.key");
            }
            assertThat(keyless.stats().authFailures.get("api_key")).isZero();
        }
    }
}
