package io.fanwire.server.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A client of the server API on the JDK's {@link HttpClient}: an independent HTTP implementation. Every call
 * times out after 10 s.
 */
public final class ApiClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** An answer: status, a header lookup and the body parsed as JSON. */
    public record Answer(int status, HttpResponse<String> response) {
        /** The body as JSON. */
        public JsonNode json() {
            try {
                return JSON.readTree(response.body());
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + response.body(), e);
            }
        }

        /** The error code of an error body. */
        public String code() {
            return json().path("code").asText();
        }

        /** A response header, or {@code null}. */
        public String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }
    }

    private final int port;
    private final String[] auth;

    private ApiClient(int port, String... auth) {
        this.port = port;
        this.auth = auth;
    }

    /** A client of {@code port} that sends the test servers' key as {@code X-API-Key}. */
    public static ApiClient of(int port) {
        return new ApiClient(port, "X-API-Key", TestServers.API_KEY);
    }

    /** A client of {@code port} that sends {@code headers} (name, value, ...) with every request. */
    public static ApiClient withHeaders(int port, String... headers) {
        return new ApiClient(port, headers);
    }

    /** {@code POST path} with {@code json} as {@code application/json}. */
    public Answer post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** {@code GET path} (with its query). */
    public Answer get(String path) {
        return send(request(path).GET().build());
    }

    /** A request builder for {@code path} with this client's headers. */
    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < auth.length; i += 2) {
            builder.header(auth[i], auth[i + 1]);
        }
        return builder;
    }

    /** Sends {@code request}. */
    public Answer send(HttpRequest request) {
        HttpResponse<String> response = HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .orTimeout(10, TimeUnit.SECONDS).join();
        return new Answer(response.statusCode(), response);
    }
}
