package io.fanwire.bench.worker;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;

import org.HdrHistogram.Histogram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.bench.stats.SliceStats;

/**
 * A {@link SliceStats} on the control channel: counters as JSON numbers, histograms in HdrHistogram's
 * compressed encoding, base64. Decoding gives back the exact counts, so merged figures are exact.
 */
public final class SliceCodec {

    private SliceCodec() {
    }

    /** {@code {"counters":{name:n…},"histograms":{name:"base64"…}}}. */
    public static ObjectNode encode(SliceStats slice) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        ObjectNode counters = node.putObject("counters");
        slice.counters().forEach(counters::put);
        ObjectNode histograms = node.putObject("histograms");
        slice.histograms().forEach((name, h) -> histograms.put(name, encode(h)));
        return node;
    }

    /** The slice {@link #encode} wrote. */
    public static SliceStats decode(JsonNode node) {
        Map<String, Long> counters = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.path("counters").properties()) {
            counters.put(e.getKey(), e.getValue().asLong());
        }
        Map<String, Histogram> histograms = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.path("histograms").properties()) {
            histograms.put(e.getKey(), decode(e.getValue().asText()));
        }
        return new SliceStats(counters, histograms);
    }

    /** A histogram as base64 of its compressed encoding. */
    public static String encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }

    /** The histogram {@link #encode(Histogram)} wrote. */
    public static Histogram decode(String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        } catch (DataFormatException | IllegalArgumentException e) {
            throw new IllegalArgumentException("histogram: not a compressed HdrHistogram in base64 (" + e.getMessage() + ")", e);
        }
    }
}
