package io.fanwire.common.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Optional protocol features a peer supports or the server granted ({@code features} in
 * {@code client_hello}, {@code server_ready} and {@code server_hello}).
 */
public record Features(boolean compression, boolean msgpack, boolean encryption, boolean batchMessages) {

    /** No optional feature. */
    public static final Features NONE = new Features(false, false, false, false);

    /** Reads features from a {@code features} object; missing or non-boolean keys are {@code false}. */
    public static Features from(JsonNode node) {
        if (node == null || !node.isObject()) {
            return NONE;
        }
        return new Features(flag(node, "compression"), flag(node, "msgpack"), flag(node, "encryption"),
                flag(node, "batch_messages"));
    }

    private static boolean flag(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value != null && value.isBoolean() && value.booleanValue();
    }

    /** The features both this and {@code other} support. */
    public Features intersect(Features other) {
        return new Features(compression && other.compression, msgpack && other.msgpack,
                encryption && other.encryption, batchMessages && other.batchMessages);
    }

    /** Writes these features as a new object under {@code name} of {@code parent}. */
    public void writeTo(ObjectNode parent, String name) {
        ObjectNode node = parent.putObject(name);
        node.put("compression", compression);
        node.put("msgpack", msgpack);
        node.put("encryption", encryption);
        node.put("batch_messages", batchMessages);
    }
}
