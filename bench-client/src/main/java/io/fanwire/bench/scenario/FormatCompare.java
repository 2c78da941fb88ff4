package io.fanwire.bench.scenario;

import java.util.ArrayList;
import java.util.List;

import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.scenario.Payloads.Encoding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code format-compare}: the same ingest in JSON, msgpack ({@code M:}) and compressed JSON ({@code C:}). */
@Command(name = "format-compare", mixinStandardHelpOptions = true,
        description = "Server-counted ingest of the same messages as JSON, msgpack and compressed C: frames.")
public final class FormatCompare extends BaseScenario {

    @Option(names = "--encodings", paramLabel = "LIST", defaultValue = "json,msgpack,compressed",
            description = "Encodings to compare (default: ${DEFAULT-VALUE}).")
    String encodings = "json,msgpack,compressed";

    @Override
    public String name() {
        return "format-compare";
    }

    @Override
    public boolean supportsWorkers() {
        return true;
    }

    @Override
    public String title() {
        return "Format comparison";
    }

    @Override
    public String measures() {
        return "The same messages sent as JSON text frames, M: msgpack and C: zlib-compressed JSON: server-counted "
                + "messages and payload megabytes per second, frame size on the wire, loss. Every message is "
                + "compressed here, whatever its size (real clients compress above 1 KiB).";
    }

    @Override
    public boolean closedLoop() {
        return false;
    }

    @Override
    public ScenarioResult run() throws Exception {
        List<Encoding> list = new ArrayList<>();
        for (String e : encodings.split(",")) {
            list.add(Encoding.parse(e));
        }
        return Throughput.runMatrix(this, tiers("100"), List.of(common.payload()), list);
    }
}
