package io.fanwire.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;

import io.fanwire.common.codec.DecodeLimits;
import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ErrorCode;
import io.fanwire.common.protocol.MessageTypes;
import io.fanwire.common.protocol.ServerMessage.PresenceUser;
import io.fanwire.common.protocol.StreamPosition;
import io.fanwire.server.ServerConfig;
import io.fanwire.server.broker.HistoryPage;
import io.fanwire.server.broker.Publication;
import io.fanwire.server.metrics.ServerStats;
import io.fanwire.server.pubsub.TopicNames;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * The server API under {@code /api/}: JSON in and out, behind an API key. One instance per server, shared
 * by every connection and thread-safe; it answers each request with an {@link ApiAnswer} that the route
 * handler renders. Answers that wait for the broker (publish, broadcast, history) complete asynchronously,
 * on whatever thread the broker completes on.
 *
 * <p>Every refusal is a 4xx with {@code {"code","message"}}: the key is checked first (401 {@code AUTH_FAILED},
 * counted in {@code authFailures} as {@code api_key}), then the method (405 with {@code Allow}), the content
 * type (415; {@code application/json}, or none), the body (400 {@code INVALID_MESSAGE} for malformed JSON, a
 * missing, unknown or mistyped field) and topic names (400 {@code INVALID_SUBSCRIPTION}). Bodies are parsed
 * with the protocol's nesting and number limits, and rejected before they are materialised past them.
 */
public final class ApiRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);

    static final String INFO = "info";
    static final String PUBLISH = "publish";
    static final String BROADCAST = "broadcast";
    static final String DISCONNECT = "disconnect";
    static final String PRESENCE = "presence";
    static final String HISTORY = "history";
    static final String DRAIN = "drain";
    /** The label of requests for paths under {@code /api/} that are no route. */
    static final String UNKNOWN = "unknown";

    /** {@code limit} of a history request without one. */
    public static final int DEFAULT_HISTORY_LIMIT = 100;
    /** The largest {@code limit} of a history request. */
    public static final int MAX_HISTORY_LIMIT = 1000;
    /** The most topics one broadcast may name. */
    public static final int MAX_BROADCAST_TOPICS = 1000;
    /**
     * The close code of a disconnect without one: a normal closure, which clients take as "do not reconnect
     * right away"; the reason tells it apart from the idle timeout.
     */
    public static final int DEFAULT_DISCONNECT_CODE = CloseCodes.NORMAL;
    /** The close reason of a disconnect without one. */
    public static final String DEFAULT_DISCONNECT_REASON = "disconnected by the server";
    /** A close frame's payload is at most 125 bytes, two of them the code. */
    private static final int MAX_CLOSE_REASON_BYTES = 123;
    private static final int MAX_EPOCH_LENGTH = 64;
    private static final String API_KEY_HEADER = "X-API-Key";
    private static final String API_KEY_SCHEME = "apikey ";
    private static final String GET_OR_HEAD = "GET, HEAD";
    private static final Pattern JACKSON_SOURCE = Pattern.compile(", from `[^`]*`");

    private final ServerApi server;
    private final ServerStats stats;
    private final byte[] apiKey;
    private final int maxTopicNameLength;
    private final ObjectMapper reader;

    /**
     * The API of {@code server}, answering as {@code config} says (key, body and topic limits), counting in
     * {@code stats}.
     */
    public ApiRoutes(ServerApi server, ServerConfig config, ServerStats stats) {
        this.server = server;
        this.stats = stats;
        this.apiKey = config.apiKey() == null ? null : config.apiKey().getBytes(StandardCharsets.UTF_8);
        this.maxTopicNameLength = config.pubsub().maxTopicNameLength();
        int maxBody = config.maxHttpBodyBytes();
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(DecodeLimits.DEFAULT_MAX_DEPTH)
                        .maxStringLength(maxBody)
                        .maxNameLength(maxBody)
                        .maxNumberLength(DecodeLimits.DEFAULT_MAX_NUMBER_CHARS)
                        .maxDocumentLength(maxBody)
                        .build())
                // Keys come from the network: interning them would grow the JVM's string table at a caller's will.
                .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.reader = JsonMapper.builder(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    }

    /** Whether {@code path} belongs to the server API. */
    static boolean isApiPath(String path) {
        return path.equals("/api") || path.startsWith("/api/");
    }

    /** The route of an API {@code path}, the label it is counted under: its name, or {@link #UNKNOWN}. */
    static String route(String path) {
        return switch (path) {
            case "/api/info" -> INFO;
            case "/api/publish" -> PUBLISH;
            case "/api/broadcast" -> BROADCAST;
            case "/api/disconnect" -> DISCONNECT;
            case "/api/presence" -> PRESENCE;
            case "/api/history" -> HISTORY;
            case "/api/drain" -> DRAIN;
            default -> UNKNOWN;
        };
    }

    /**
     * Answers {@code request} for the API path of {@code uri}. Reads everything it needs from the request
     * before it returns; the request may be released then. The stage never completes exceptionally.
     */
    CompletionStage<ApiAnswer> answer(FullHttpRequest request, QueryStringDecoder uri) {
        String path = uri.path();
        String route = route(path);
        if (apiKey == null) {
            return done(ApiAnswer.error(route, HttpResponseStatus.NOT_FOUND, "NOT_FOUND",
                    "the server API is off (set api.key to switch it on)"));
        }
        if (!authorized(request.headers())) {
            stats.authFailures.increment("api_key");
            return done(ApiAnswer.error(route, HttpResponseStatus.UNAUTHORIZED, ErrorCode.AUTH_FAILED.name(),
                    "a valid API key is required (X-API-Key: <key> or Authorization: apikey <key>)")
                    .with(HttpHeaderNames.WWW_AUTHENTICATE.toString(), "apikey"));
        }
        try {
            return switch (route) {
                case INFO -> {
                    requireGet(request);
                    yield done(ApiAnswer.ok(route, server.info()));
                }
                case PUBLISH -> publish(request);
                case BROADCAST -> broadcast(request);
                case DISCONNECT -> done(disconnect(request));
                case PRESENCE -> presence(request, uri);
                case HISTORY -> history(request, uri);
                case DRAIN -> done(drain(request));
                default -> done(ApiAnswer.error(route, HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no route " + path));
            };
        } catch (Refusal refusal) {
            return done(refusal.answer(route));
        }
    }

    // ---------------------------------------------------------------- routes

    private CompletionStage<ApiAnswer> publish(FullHttpRequest request) {
        requirePost(request);
        ObjectNode body = body(request, "topic", "type", "data");
        String topic = topic(requiredText(body, "topic"));
        Envelope message = message(body);
        return publishTo(topic, message).handle((position, error) -> error != null
                ? brokerFailure(PUBLISH, "publication to " + topic, error)
                : ApiAnswer.ok(PUBLISH, fields("epoch", position.epoch(), "offset", position.offset())));
    }

    private CompletionStage<ApiAnswer> broadcast(FullHttpRequest request) {
        requirePost(request);
        ObjectNode body = body(request, "topics", "type", "data");
        JsonNode topics = body.get("topics");
        if (topics == null || topics.isNull()) {
            throw Refusal.invalid("topics: missing (expected: an array of topic names)");
        }
        if (!topics.isArray()) {
            throw Refusal.invalid("topics: expected an array of topic names");
        }
        if (topics.isEmpty() || topics.size() > MAX_BROADCAST_TOPICS) {
            throw Refusal.invalid("topics: " + topics.size() + " names (expected: 1-" + MAX_BROADCAST_TOPICS + ")");
        }
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < topics.size(); i++) {
            JsonNode name = topics.get(i);
            if (!name.isTextual()) {
                throw Refusal.invalid("topics[" + i + "]: expected a string");
            }
            names.add(name.textValue());
        }
        Envelope message = message(body);
        List<CompletableFuture<Map<String, Object>>> results = new ArrayList<>(names.size());
        for (String name : names) {
            String problem = TopicNames.problem(name, maxTopicNameLength);
            if (problem != null) {
                results.add(CompletableFuture.completedFuture(topicError(name, ErrorCode.INVALID_SUBSCRIPTION, problem)));
                continue;
            }
            CompletionStage<StreamPosition> published;
            try {
                published = server.publish(name, message);
            } catch (IllegalArgumentException e) {
                results.add(CompletableFuture.completedFuture(topicError(name, ErrorCode.INVALID_SUBSCRIPTION,
                        e.getMessage())));
                continue;
            }
            results.add(published.handle((position, error) -> {
                if (error == null) {
                    return fields("topic", name, "epoch", position.epoch(), "offset", position.offset());
                }
                LOG.warn("Server API broadcast to {} failed: {}", name, cause(error).toString());
                return topicError(name, ErrorCode.SERVER_ERROR, "publication failed: " + cause(error).getMessage());
            }).toCompletableFuture());
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).handle((ignored, error) -> {
            List<Map<String, Object>> out = new ArrayList<>(results.size());
            for (CompletableFuture<Map<String, Object>> result : results) {
                out.add(result.join());
            }
            return ApiAnswer.ok(BROADCAST, fields("results", out));
        });
    }

    private ApiAnswer disconnect(FullHttpRequest request) {
        requirePost(request);
        ObjectNode body = body(request, "user_id", "connection_id", "code", "reason");
        String userId = optionalText(body, "user_id");
        String connectionId = optionalText(body, "connection_id");
        if ((userId == null) == (connectionId == null)) {
            throw Refusal.invalid("expected exactly one of user_id and connection_id");
        }
        int code = DEFAULT_DISCONNECT_CODE;
        JsonNode codeNode = body.get("code");
        if (codeNode != null && !codeNode.isNull()) {
            if (!codeNode.isIntegralNumber() || !codeNode.canConvertToInt() || !sendableCloseCode(codeNode.intValue())) {
                throw Refusal.invalid("code: " + codeNode + " (expected: a close code 1000-1003, 1007-1014 or 3000-4999)");
            }
            code = codeNode.intValue();
        }
        String reason = optionalText(body, "reason");
        if (reason == null) {
            reason = DEFAULT_DISCONNECT_REASON;
        } else if (reason.getBytes(StandardCharsets.UTF_8).length > MAX_CLOSE_REASON_BYTES) {
            throw Refusal.invalid("reason: longer than " + MAX_CLOSE_REASON_BYTES + " UTF-8 bytes");
        }
        int disconnected;
        if (connectionId != null) {
            disconnected = server.disconnect(uuid(connectionId), code, reason) ? 1 : 0;
        } else {
            if (userId.isEmpty()) {
                throw Refusal.invalid("user_id: empty");
            }
            disconnected = server.disconnectUser(userId, code, reason);
        }
        return ApiAnswer.ok(DISCONNECT, fields("disconnected", disconnected));
    }

    /** The longest drain a request may ask for. */
    public static final long MAX_DRAIN_TIMEOUT_MS = 24L * 60 * 60 * 1000;

    /**
     * {@code POST /api/drain}, with no body or {@code {"timeout_ms"?}}: starts a graceful drain (or joins the one
     * under way) and answers 202 at once; the server stops when the drain is over.
     */
    private ApiAnswer drain(FullHttpRequest request) {
        requirePost(request);
        Duration timeout = null;
        if (request.content().isReadable()) {
            JsonNode node = body(request, "timeout_ms").get("timeout_ms");
            if (node != null && !node.isNull()) {
                if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 1
                        || node.longValue() > MAX_DRAIN_TIMEOUT_MS) {
                    throw Refusal.invalid("timeout_ms: " + node + " (expected: 1-" + MAX_DRAIN_TIMEOUT_MS + ")");
                }
                timeout = Duration.ofMillis(node.longValue());
            }
        }
        int connections = server.drain(timeout);
        return new ApiAnswer(DRAIN, HttpResponseStatus.ACCEPTED, fields("draining", true, "connections", connections),
                Map.of());
    }

    private CompletionStage<ApiAnswer> presence(FullHttpRequest request, QueryStringDecoder uri) {
        requireGet(request);
        String topic = topic(parameter(uri, "topic", true));
        return server.presence(topic).thenApply(present -> {
            Map<String, Object> users = new LinkedHashMap<>();
            for (Map.Entry<String, PresenceUser> e : present.entrySet()) {
                users.put(e.getKey(), fields("data", e.getValue().data(), "connections", e.getValue().connections()));
            }
            return ApiAnswer.ok(PRESENCE, fields("topic", topic, "users", users));
        });
    }

    private CompletionStage<ApiAnswer> history(FullHttpRequest request, QueryStringDecoder uri) {
        requireGet(request);
        String topic = topic(parameter(uri, "topic", true));
        String epoch = parameter(uri, "since_epoch", false);
        String offset = parameter(uri, "since_offset", false);
        if ((epoch == null) != (offset == null)) {
            throw Refusal.invalid("since_epoch and since_offset go together (give both, or neither for the position only)");
        }
        StreamPosition since = null;
        if (epoch != null) {
            if (epoch.isEmpty() || epoch.length() > MAX_EPOCH_LENGTH) {
                throw Refusal.invalid("since_epoch: expected 1-" + MAX_EPOCH_LENGTH + " characters");
            }
            since = new StreamPosition(epoch, wholeNumber("since_offset", offset, 0, Long.MAX_VALUE));
        }
        String limitText = parameter(uri, "limit", false);
        int limit = limitText == null ? DEFAULT_HISTORY_LIMIT
                : (int) wholeNumber("limit", limitText, 1, MAX_HISTORY_LIMIT);
        CompletionStage<HistoryPage> page;
        try {
            page = server.history(topic, since, limit);
        } catch (IllegalArgumentException e) {
            throw Refusal.invalid(e.getMessage());
        }
        return page.handle((p, error) -> {
            if (error != null) {
                return brokerFailure(HISTORY, "history of " + topic, error);
            }
            List<RawValue> publications = new ArrayList<>(p.publications().size());
            for (Publication publication : p.publications()) {
                // Already the stamped envelope as JSON, exactly as subscribers received it.
                publications.add(new RawValue(new String(publication.json(), StandardCharsets.UTF_8)));
            }
            return ApiAnswer.ok(HISTORY, fields("topic", topic, "epoch", p.current().epoch(),
                    "offset", p.current().offset(), "complete", p.complete(), "publications", publications));
        });
    }

    // ---------------------------------------------------------------- requests

    /** Whether {@code headers} present the API key; never when the API is off (no key configured). */
    boolean authorized(HttpHeaders headers) {
        if (apiKey == null) {
            return false;
        }
        String presented = headers.get(API_KEY_HEADER);
        if (presented == null) {
            String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
            if (authorization != null
                    && authorization.regionMatches(true, 0, API_KEY_SCHEME, 0, API_KEY_SCHEME.length())) {
                presented = authorization.substring(API_KEY_SCHEME.length()).trim();
            }
        }
        // Constant time in the length of the configured key, whatever is presented.
        return presented != null && MessageDigest.isEqual(apiKey, presented.getBytes(StandardCharsets.UTF_8));
    }

    private static void requireGet(FullHttpRequest request) {
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            throw new Refusal(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "use GET", GET_OR_HEAD);
        }
    }

    private static void requirePost(FullHttpRequest request) {
        if (!HttpMethod.POST.equals(request.method())) {
            throw new Refusal(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "use POST",
                    HttpMethod.POST.name());
        }
    }

    /** The body as a JSON object with no fields but {@code allowed}. */
    private ObjectNode body(FullHttpRequest request, String... allowed) {
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType != null && !contentType.isBlank()) {
            CharSequence mime = HttpUtil.getMimeType(contentType);
            if (mime == null || !"application/json".contentEquals(mime.toString().trim().toLowerCase(Locale.ROOT))) {
                throw new Refusal(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE",
                        "the body must be JSON (Content-Type: application/json)", null);
            }
            CharSequence charset = HttpUtil.getCharsetAsSequence(contentType);
            if (charset != null && !"utf-8".equalsIgnoreCase(charset.toString()) && !"utf8".equalsIgnoreCase(charset.toString())) {
                throw new Refusal(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE",
                        "the body must be UTF-8 (charset=utf-8, or no charset)", null);
            }
        }
        if (!request.content().isReadable()) {
            throw Refusal.invalid("empty body (expected: a JSON object)");
        }
        JsonNode node;
        try (InputStream in = new ByteBufInputStream(request.content().duplicate())) {
            node = reader.readTree(in);
        } catch (StreamConstraintsException e) {
            // Jackson names its own configuration method in the message; the caller needs only the limit.
            throw Refusal.invalid("body exceeds a limit: " + JACKSON_SOURCE.matcher(e.getOriginalMessage()).replaceAll(""));
        } catch (JsonProcessingException e) {
            throw Refusal.invalid("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException | IllegalStateException e) {
            // IllegalStateException: Jackson's symbol table gives up on keys crafted to collide (hash flooding).
            throw Refusal.invalid("malformed JSON: " + e.getMessage());
        }
        if (!(node instanceof ObjectNode object)) {
            throw Refusal.invalid("body: expected a JSON object");
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!List.of(allowed).contains(name)) {
                throw Refusal.invalid("unknown field '" + name + "' (expected: " + String.join(", ", allowed) + ")");
            }
        }
        return object;
    }

    /** The publication a publish or broadcast body describes: {@code type} (default "publication") and {@code data}. */
    private static Envelope message(ObjectNode body) {
        String type = optionalText(body, "type");
        if (type != null && type.isEmpty()) {
            throw Refusal.invalid("type: empty (expected: an event type such as chat_message)");
        }
        JsonNode data = body.get("data");
        ObjectNode payload;
        if (data == null || data.isNull()) {
            payload = Envelope.newPayload();
        } else if (data instanceof ObjectNode object) {
            payload = object;
        } else {
            throw Refusal.invalid("data: expected a JSON object");
        }
        return Envelope.of(type != null ? type : MessageTypes.PUBLICATION, payload);
    }

    private static String requiredText(ObjectNode body, String field) {
        String value = optionalText(body, field);
        if (value == null) {
            throw Refusal.invalid(field + ": missing");
        }
        return value;
    }

    private static String optionalText(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw Refusal.invalid(field + ": expected a string");
        }
        return node.textValue();
    }

    private static String parameter(QueryStringDecoder uri, String name, boolean required) {
        List<String> values;
        try {
            values = uri.parameters().get(name);
        } catch (IllegalArgumentException e) {
            throw Refusal.invalid("malformed query string: " + e.getMessage());
        }
        if (values == null || values.isEmpty()) {
            if (required) {
                throw Refusal.invalid(name + ": missing query parameter");
            }
            return null;
        }
        if (values.size() > 1) {
            throw Refusal.invalid(name + ": given more than once");
        }
        return values.get(0);
    }

    private static long wholeNumber(String name, String text, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw Refusal.invalid(name + ": '" + abbreviate(text) + "' is not a whole number");
        }
        if (value < min || value > max) {
            throw Refusal.invalid(name + ": " + value + " (expected: " + min + "-" + max + ")");
        }
        return value;
    }

    private String topic(String name) {
        String problem = TopicNames.problem(name, maxTopicNameLength);
        if (problem != null) {
            throw new Refusal(HttpResponseStatus.BAD_REQUEST, ErrorCode.INVALID_SUBSCRIPTION.name(), problem, null);
        }
        return name;
    }

    private static UUID uuid(String text) {
        // UUID.fromString also takes shortened groups ("1-2-3-4-5"); a connection id is always the canonical form.
        if (text.length() == 36) {
            try {
                return UUID.fromString(text);
            } catch (IllegalArgumentException ignored) {
                // Answered below, like any other malformed id.
            }
        }
        throw Refusal.invalid("connection_id: '" + abbreviate(text) + "' is not a connection id (a UUID)");
    }

    // ---------------------------------------------------------------- answers

    private CompletionStage<StreamPosition> publishTo(String topic, Envelope message) {
        try {
            return server.publish(topic, message);
        } catch (IllegalArgumentException e) {
            throw Refusal.invalid(e.getMessage());
        }
    }

    private static ApiAnswer brokerFailure(String route, String what, Throwable error) {
        Throwable cause = cause(error);
        LOG.warn("Server API {} failed: {}", what, cause.toString());
        return ApiAnswer.error(route, HttpResponseStatus.SERVICE_UNAVAILABLE, ErrorCode.SERVER_ERROR.name(),
                what + " failed: " + cause.getMessage());
    }

    private static Map<String, Object> topicError(String topic, ErrorCode code, String message) {
        return fields("topic", topic, "error", fields("code", code.name(), "message", message));
    }

    private static Throwable cause(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** A JSON object with the given keys and values, in order ({@code null} values included). */
    private static Map<String, Object> fields(Object... keysAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }

    private static CompletionStage<ApiAnswer> done(ApiAnswer answer) {
        return CompletableFuture.completedFuture(answer);
    }

    private static boolean sendableCloseCode(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }

    /** A request refused before anything happened: a 4xx answer. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final transient HttpResponseStatus status;
        private final String code;
        private final String allow;

        Refusal(HttpResponseStatus status, String code, String message, String allow) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
            this.allow = allow;
        }

        static Refusal invalid(String message) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, ErrorCode.INVALID_MESSAGE.name(), message, null);
        }

        ApiAnswer answer(String route) {
            ApiAnswer answer = ApiAnswer.error(route, status, code, getMessage());
            return allow == null ? answer : answer.with(HttpHeaderNames.ALLOW.toString(), allow);
        }
    }
}
