package io.fanwire.bench.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.util.StdConverter;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * Writes and reads the JSON record of a run, the document described in {@code docs/BENCH-REPORT.md} and
 * validated by the JSON Schema {@value #SCHEMA_RESOURCE}.
 *
 * <p>Fields appear in the order of the record components; maps keep their insertion order (the column order
 * of the other reports) except {@link RunEnvironment#options()}, which is sorted by name so that two runs with
 * the same options write the same bytes. Instants are ISO-8601 strings; durations are numbers whose unit is in
 * the field's name. The reader accepts documents of {@link RunReport#SCHEMA_VERSION} and older and ignores
 * fields it does not know (later additions are additive within one schema version).
 */
public final class ReportJson {

    /** The class-path resource of the JSON Schema (draft 2020-12) of the document. */
    public static final String SCHEMA_RESOURCE = "/fanwire-bench-report.schema.json";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addMixIn(RunEnvironment.class, SortedOptions.class)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private ReportJson() {
    }

    /**
     * The report as an indented JSON document (ends with a newline).
     *
     * @throws IllegalArgumentException when the report holds a number JSON cannot represent (NaN or infinite),
     *                                  naming where, e.g. {@code /scenarios/0/tiers/1/rates/sent_per_s: NaN}
     */
    public static String write(RunReport report) {
        try {
            JsonNode tree = MAPPER.valueToTree(report);
            requireFinite(tree, "");
            return MAPPER.writeValueAsString(tree) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the run report", e);
        }
    }

    private static void requireFinite(JsonNode node, String pointer) {
        if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            throw new IllegalArgumentException(pointer + ": " + node.doubleValue() + " (expected: a finite number)");
        }
        if (node.isObject()) {
            node.properties().forEach(e -> requireFinite(e.getValue(), pointer + "/" + e.getKey()));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                requireFinite(node.get(i), pointer + "/" + i);
            }
        }
    }

    /** Writes the report to {@code file} (UTF-8), replacing it. */
    public static void write(RunReport report, Path file) throws IOException {
        Files.writeString(file, write(report));
    }

    /**
     * Reads a report.
     *
     * @throws IllegalArgumentException when the document is not a run report this build can read (a newer
     *                                  schema version, or a missing or malformed field)
     */
    public static RunReport read(String json) {
        try {
            JsonNode tree = MAPPER.readTree(json);
            return fromTree(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a Fanwire bench report: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads a report from a file; see {@link #read(String)}. */
    public static RunReport read(Path file) throws IOException {
        try {
            return read(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The JSON Schema of the document, from the class path. */
    public static InputStream schema() {
        InputStream in = ReportJson.class.getResourceAsStream(SCHEMA_RESOURCE);
        if (in == null) {
            throw new IllegalStateException("missing class-path resource " + SCHEMA_RESOURCE);
        }
        return in;
    }

    private static RunReport fromTree(JsonNode tree) throws JsonProcessingException {
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException("not a Fanwire bench report: expected a JSON object");
        }
        JsonNode version = tree.get("schemaVersion");
        if (version == null || !version.canConvertToInt()) {
            throw new IllegalArgumentException("not a Fanwire bench report: no schemaVersion");
        }
        if (version.intValue() > RunReport.SCHEMA_VERSION || version.intValue() < 1) {
            throw new IllegalArgumentException("schemaVersion: " + version.intValue() + " (expected: 1 to "
                    + RunReport.SCHEMA_VERSION + "; a newer bench client wrote this report)");
        }
        return MAPPER.treeToValue(tree, RunReport.class);
    }

    /** Options are written sorted by name: {@code Map.copyOf} has no stable iteration order. */
    abstract static class SortedOptions {
        @JsonSerialize(converter = SortedMap.class)
        abstract Map<String, String> options();
    }

    static final class SortedMap extends StdConverter<Map<String, String>, Map<String, String>> {
        @Override
        public Map<String, String> convert(Map<String, String> value) {
            return new TreeMap<>(value);
        }
    }
}
