package io.fanwire.server.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An independent WebSocket client: the JDK's {@link java.net.http.WebSocket}. Collects every message
 * (text as is, binary as ISO-8859-1 text so prefixes like {@code M:} stay visible) and the close code.
 */
public final class JdkWsClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A received message. {@code text} is true for text frames. */
    public record Received(boolean text, String data, byte[] bytes) {
        /** The message parsed as JSON. */
        public JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + data, e);
            }
        }
    }

    private final LinkedBlockingQueue<Received> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<int[]> closed = new CompletableFuture<>();
    private final CompletableFuture<String> closeReason = new CompletableFuture<>();
    private volatile WebSocket socket;

    private JdkWsClient() {
    }

    /** Connects to {@code uri} with {@code headers}; fails (within 10 s) when the handshake fails. */
    public static JdkWsClient connect(URI uri, Map<String, String> headers, String... subprotocols) {
        return connect(HTTP, uri, headers, subprotocols);
    }

    /** Connects through {@code http} (for {@code wss://}, one that trusts the server's certificate). */
    public static JdkWsClient connect(HttpClient http, URI uri, Map<String, String> headers, String... subprotocols) {
        JdkWsClient client = new JdkWsClient();
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(builder::header);
        if (subprotocols.length > 0) {
            String[] rest = new String[subprotocols.length - 1];
            System.arraycopy(subprotocols, 1, rest, 0, rest.length);
            builder.subprotocols(subprotocols[0], rest);
        }
        client.socket = builder.buildAsync(uri, client.listener()).orTimeout(10, TimeUnit.SECONDS).join();
        return client;
    }

    /** Connects to {@code port}'s {@code /ws} with {@code token} as a Bearer header. */
    public static JdkWsClient connect(int port, String token) {
        return connect(URI.create("ws://127.0.0.1:" + port + "/ws"), Map.of("Authorization", "Bearer " + token));
    }

    /** The subprotocol the server selected ("" when none). */
    public String subprotocol() {
        return socket.getSubprotocol();
    }

    /** The next message, or an AssertionError after {@code timeout}. */
    public Received next(Duration timeout) {
        try {
            Received r = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (r == null) {
                throw new AssertionError("no message within " + timeout);
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The next message already received, or {@code null} when there is none. */
    public Received poll() {
        return messages.poll();
    }

    /** The next message as JSON (5 s). */
    public JsonNode nextJson() {
        return next(Duration.ofSeconds(5)).json();
    }

    /** The next message whose {@code t} is {@code type}, skipping others (such as pings), within 5 s. */
    public JsonNode nextOfType(String type) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no message of type " + type + " within 5 s");
            }
            JsonNode json = next(Duration.ofNanos(left)).json();
            if (type.equals(json.path("t").asText())) {
                return json;
            }
        }
    }

    /** Sends a text frame and waits until it is handed to the socket. */
    public void sendText(String text) {
        socket.sendText(text, true).orTimeout(5, TimeUnit.SECONDS).join();
    }

    /** Sends a binary frame and waits until it is handed to the socket. */
    public void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(5, TimeUnit.SECONDS).join();
    }

    /** Starts the close handshake with {@code code}. */
    public void sendClose(int code, String reason) {
        socket.sendClose(code, reason).orTimeout(5, TimeUnit.SECONDS).join();
    }

    /** The close code the server sent, waiting up to {@code timeout}. */
    public int awaitCloseCode(Duration timeout) {
        return closed.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join()[0];
    }

    /** The close code the server sent, or -1 while the connection is open; never waits. */
    public int closeCodeNow() {
        return closed.isDone() && !closed.isCompletedExceptionally() ? closed.join()[0] : -1;
    }

    /** The close reason the server sent (after {@link #awaitCloseCode}). */
    public String closeReason() {
        return closeReason.getNow("");
    }

    @Override
    public void close() {
        if (socket != null && !socket.isOutputClosed()) {
            socket.abort();
        }
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();
            private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    String s = text.toString();
                    messages.add(new Received(true, s, s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                byte[] chunk = new byte[data.remaining()];
                data.get(chunk);
                binary.writeBytes(chunk);
                if (last) {
                    byte[] all = binary.toByteArray();
                    messages.add(new Received(false, new String(all, java.nio.charset.StandardCharsets.ISO_8859_1), all));
                    binary.reset();
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                closeReason.complete(reason);
                closed.complete(new int[] {statusCode});
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                closeReason.complete(String.valueOf(error));
                closed.complete(new int[] {1006});
            }
        };
    }
}
