package io.fanwire.bench.scenario;

import java.util.List;

import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.scenario.Payloads.Encoding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code size-matrix}: the ingest of {@link Throughput} for every payload size × tier, server-counted. */
@Command(name = "size-matrix", mixinStandardHelpOptions = true,
        description = "Server-counted ingest for every payload size x tier.")
public final class SizeMatrix extends BaseScenario {

    @Option(names = "--payloads", paramLabel = "SIZES", defaultValue = "64,256,1k,4k,16k",
            description = "Payload sizes (default: ${DEFAULT-VALUE}).")
    String payloads = "64,256,1k,4k,16k";

    @Override
    public String name() {
        return "size-matrix";
    }

    @Override
    public boolean supportsWorkers() {
        return true;
    }

    @Override
    public String title() {
        return "Payload size matrix";
    }

    @Override
    public String measures() {
        return "For each payload size and tier: messages and megabytes per second the server counted as received, "
                + "paced at --rate per connection (0: as fast as connections take them), with loss beside them.";
    }

    @Override
    public boolean closedLoop() {
        return false;
    }

    @Override
    public ScenarioResult run() throws Exception {
        return Throughput.runMatrix(this, tiers("100,1000"), Payloads.sizes(payloads),
                List.of(Encoding.of(common.wireFormat(), common.compression)));
    }
}
