package io.fanwire.server.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.server.FanwireServer;

/**
 * Client requests of the pub/sub protocol as JSON text, numbered publications, reading them back, and the
 * node's topic count.
 */
public final class PubSubMessages {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PubSubMessages() {
    }

    /** A {@code subscription} request (subscribe) for {@code topics}. */
    public static String subscribe(String... topics) {
        return request("subscribe", List.of(topics)).toString();
    }

    /** A {@code subscription} request (subscribe) for {@code topics} in queue group {@code group}. */
    public static String subscribeInGroup(String group, String... topics) {
        ObjectNode request = request("subscribe", List.of(topics));
        ((ObjectNode) request.get("p")).put("queue_group", group);
        return request.toString();
    }

    /** A {@code subscription} request (subscribe) for {@code topic} announcing {@code presence}. */
    public static String subscribeWithPresence(String topic, ObjectNode presence) {
        ObjectNode request = request("subscribe", List.of(topic));
        ((ObjectNode) request.get("p")).set("presence", presence);
        return request.toString();
    }

    /** A {@code subscription_update} request that subscribes to {@code topic} recovering from {@code epoch}/{@code offset}. */
    public static String subscribeRecovering(String topic, String epoch, long offset) {
        ObjectNode request = JSON.createObjectNode().put("t", "subscription_update");
        ObjectNode p = request.putObject("p").put("action", "subscribe").put("recover", true);
        p.putArray("topics").add(topic);
        p.putObject("recovery").putObject(topic).put("epoch", epoch).put("offset", offset);
        return request.toString();
    }

    /** A {@code subscription} request (unsubscribe) for {@code topics}; none means all. */
    public static String unsubscribe(String... topics) {
        return request("unsubscribe", List.of(topics)).toString();
    }

    private static ObjectNode request(String action, List<String> topics) {
        ObjectNode request = JSON.createObjectNode().put("t", "subscription");
        ArrayNode list = request.putObject("p").put("action", action).putArray("topics");
        topics.forEach(list::add);
        return request;
    }

    /** An application message of {@code type} with payload {@code {"n": n}}. */
    public static Envelope numbered(String type, int n) {
        return Envelope.of(type, Envelope.newPayload().put("n", n));
    }

    /** A {@code blob} message with payload {@code {"n": n, "pad": "xxx…"}} of about {@code padBytes} more bytes. */
    public static Envelope padded(int n, int padBytes) {
        return Envelope.of("blob", Envelope.newPayload().put("n", n).put("pad", "x".repeat(padBytes)));
    }

    /** The stamped publications of {@code topic} among {@code messages} (JSON or msgpack), in order. */
    public static List<JsonNode> publications(List<WsFleet.Message> messages, String topic) {
        List<JsonNode> out = new ArrayList<>();
        for (WsFleet.Message m : messages) {
            JsonNode json = m.json();
            if (topic.equals(json.path("tp").asText(null))) {
                out.add(json);
            }
        }
        return out;
    }

    /** The offsets ({@code o}) of {@code publications}. */
    public static List<Long> offsets(List<JsonNode> publications) {
        return publications.stream().map(p -> p.path("o").asLong()).toList();
    }

    /** Topics with subscribers on {@code server}, as its info endpoint reports them. */
    public static int topicCount(FanwireServer server) {
        Map<?, ?> topics = (Map<?, ?>) server.info().get("topics");
        return ((Number) topics.get("topics")).intValue();
    }

    /** The consecutive offsets {@code from} to {@code to}, both included. */
    public static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long o = from; o <= to; o++) {
            out.add(o);
        }
        return out;
    }
}
