package io.fanwire.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

class ReportJsonTest {

    private static final ObjectMapper PLAIN = new ObjectMapper();

    @Test
    void writtenReportsValidateAgainstTheSchema() throws IOException {
        JsonSchema schema = schema();
        for (RunReport report : List.of(SampleReports.realistic(), SampleReports.minimal())) {
            Set<ValidationMessage> errors = schema.validate(PLAIN.readTree(ReportJson.write(report)));
            assertThat(errors).isEmpty();
        }
    }

    @Test
    void schemaRejectsWhatTheReaderCouldNotTrust() throws IOException {
        JsonSchema schema = schema();
        ObjectNode doc = (ObjectNode) PLAIN.readTree(ReportJson.write(SampleReports.minimal()));
        ObjectNode tier = (ObjectNode) doc.get("scenarios").get(0).get("tiers").get(0);
        tier.putObject("rates").put("sent", 3.0);
        doc.put("schemaVersion", 2);
        assertThat(schema.validate(doc)).extracting(ValidationMessage::getInstanceLocation)
                .extracting(Object::toString)
                .contains("/schemaVersion", "/scenarios/0/tiers/0/rates");
    }

    @Test
    void roundTripsToAnEqualReport(@TempDir Path dir) throws IOException {
        RunReport report = SampleReports.realistic();
        Path file = dir.resolve("report.json");
        ReportJson.write(report, file);
        assertThat(ReportJson.read(file)).isEqualTo(report);
        assertThat(ReportJson.read(ReportJson.write(SampleReports.minimal()))).isEqualTo(SampleReports.minimal());
    }

    @Test
    void writesFieldsInModelOrderAndOptionsSorted() throws IOException {
        String json = ReportJson.write(SampleReports.realistic());
        assertThat(json).isEqualTo(ReportJson.write(SampleReports.realistic()));
        JsonNode tree = PLAIN.readTree(json);
        assertThat(tree.fieldNames()).toIterable().containsExactly("schemaVersion", "startedAt", "finishedAt",
                "environment", "target", "scenarios", "checks");
        assertThat(tree.get("startedAt").asText()).isEqualTo("2026-11-23T20:00:00Z");
        assertThat(tree.get("environment").get("options").fieldNames()).toIterable()
                .containsExactly("duration", "encoding", "token", "url", "workers");
        JsonNode tier = tree.get("scenarios").get(0).get("tiers").get(0);
        assertThat(tier.get("counters").fieldNames()).toIterable()
                .startsWith("sent", "received", "server_received", "lost");
        assertThat(tier.get("latencies").get("rtt").get("p99Micros").asDouble()).isEqualTo(910.0);
        assertThat(tree.get("scenarios").get(1).get("tiers").get(0).get("server").isNull()).isTrue();
    }

    @Test
    void refusesNewerSchemaVersionsAndNonReports() {
        String newer = ReportJson.write(SampleReports.minimal()).replace("\"schemaVersion\" : 1", "\"schemaVersion\" : 7");
        assertThatThrownBy(() -> ReportJson.read(newer)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schemaVersion: 7 (expected: 1 to 1");
        assertThatThrownBy(() -> ReportJson.read("[1,2]")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a JSON object");
        assertThatThrownBy(() -> ReportJson.read("{\"schemaVersion\":1}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a Fanwire bench report");
    }

    @Test
    void refusesNumbersJsonCannotHoldAndSaysWhere() {
        RunReport sample = SampleReports.minimal();
        ScenarioResult scenario = sample.scenarios().getFirst();
        TierResult tier = scenario.tiers().getFirst();
        TierResult broken = new TierResult(tier.label(), tier.connections(), tier.parameters(), tier.durationSeconds(),
                tier.counters(), java.util.Map.of("sent_per_s", Double.NaN), tier.latencies(), tier.timeline(),
                tier.server(), tier.notes());
        RunReport report = new RunReport(sample.schemaVersion(), sample.startedAt(), sample.finishedAt(),
                sample.environment(), sample.target(), List.of(new ScenarioResult(scenario.scenario(), scenario.title(),
                scenario.measures(), false, List.of(broken), List.of())), List.of());
        assertThatThrownBy(() -> ReportJson.write(report)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("/scenarios/0/tiers/0/rates/sent_per_s: NaN (expected: a finite number)");
    }

    @Test
    void ignoresFieldsAddedLater() {
        String json = ReportJson.write(SampleReports.minimal()).replaceFirst("\\{", "{\"addedLater\":true,");
        assertThat(ReportJson.read(json)).isEqualTo(SampleReports.minimal());
    }

    static JsonSchema schema() throws IOException {
        try (InputStream in = ReportJson.schema()) {
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in, config);
        }
    }
}
