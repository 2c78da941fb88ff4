package io.fanwire.microbench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.common.protocol.Envelope;

/**
 * The messages the benchmarks move around, built the same way every time so that results stay comparable.
 * docs/BENCHMARKS.md lists their sizes in both encodings.
 */
final class SampleMessages {

    private SampleMessages() {
    }

    /**
     * A chat message as a client sends it, only the keys a client must or usually does send:
     * {@code {"t":"chat_message","p":{"room":"lobby","text":"…"},"cid":"m-1042"}}, 100 bytes of JSON.
     */
    static Envelope chat() {
        return new Envelope(null, null, Envelope.NO_OFFSET, null, "chat_message", chatPayload(), null, null,
                Envelope.NO_SEQ, "m-1042", null, null, Envelope.NO_VERSION);
    }

    /** The same chat message as an application publishes it to a topic ({@code c} and {@code v} added). */
    static Envelope chatPublication() {
        return Envelope.of("chat_message", chatPayload());
    }

    private static ObjectNode chatPayload() {
        ObjectNode payload = Envelope.newPayload();
        payload.put("room", "lobby");
        payload.put("text", "Stand-up moves to 9:30, same room.");
        return payload;
    }

    /**
     * A market snapshot as a server sends it: 983 bytes of JSON with nested arrays, doubles and integers, the
     * kind of payload that exercises the number parsers and the tree building rather than string copying.
     */
    static Envelope snapshot() {
        ObjectNode payload = Envelope.newPayload();
        payload.put("symbol", "BTC-USD");
        payload.put("venue", "example-exchange");
        payload.put("sequence", 4_210_337_845L);
        payload.put("halted", false);
        ArrayNode bids = payload.putArray("bids");
        ArrayNode asks = payload.putArray("asks");
        for (int level = 0; level < 12; level++) {
            bids.addObject().put("px", 64_123.5 - level * 0.5).put("qty", 0.125 * (level + 1)).put("n", level + 1);
            asks.addObject().put("px", 64_124.0 + level * 0.5).put("qty", 0.25 * (level + 1)).put("n", level + 2);
        }
        payload.put("note", "Levels are aggregated per half dollar; quantities in BTC.");
        return Envelope.of("market_snapshot", payload);
    }
}
