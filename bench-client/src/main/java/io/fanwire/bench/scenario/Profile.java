package io.fanwire.bench.scenario;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.bench.client.BenchClient;
import io.fanwire.bench.load.RateShape;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.common.protocol.Envelope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code profile}: MCP-style load patterns: the aggregate rate of echo messages over N connections follows a
 * shape ({@code constant}, {@code ramp}, {@code spike}, {@code step}) over time; intended send times follow the
 * shape, so latency is corrected, and the timeline shows the rates second by second.
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Echo load whose total rate follows a shape: constant:R, ramp:A-B/10s, spike:A-B@5s/2s, step:R1x5s,R2x5s.")
public final class Profile extends BaseScenario {

    @Option(names = "--shape", paramLabel = "SHAPE", defaultValue = "ramp:100-1000/10s",
            description = "Total messages per second over time (default: ${DEFAULT-VALUE}).")
    String shape = "ramp:100-1000/10s";

    @Override
    public String name() {
        return "profile";
    }

    @Override
    public String title() {
        return "Load profile (" + shape + ")";
    }

    @Override
    public String measures() {
        return "Echo messages whose total rate over all connections follows --shape; round trip from the intended "
                + "send time, loss, late sends, and the per-second timeline.";
    }

    @Override
    public boolean closedLoop() {
        return false;
    }

    @Override
    public ScenarioResult run() throws Exception {
        RateShape rateShape = RateShape.parse(shape);
        // A ramp or step shape lasts as long as it says; constant and spike run for --duration.
        Duration length = rateShape.length() != null ? rateShape.length() : common.duration();
        int n = tiers("100").getFirst();
        ObjectNode payload = Payloads.filler(common.payload());
        try (BenchClient client = new BenchClient(common.clientOptions())) {
            PingLatency.Pings work = new PingLatency.Pings(cid -> Envelope.of(Echo.TYPE, payload).withCorrelationId(cid));
            Fleet fleet = fleet(client, null, n, work);
            TierFigures figures = PingLatency.runTier(this, fleet, work, rateShape, length, 0,
                    n + " conns, " + shape).parameter("shape", shape);
            fleet.closeAll(CLOSE_TIMEOUT);
            return new ScenarioResult(name(), title(), measures(), closedLoop(), List.of(figures.build()), List.of());
        }
    }
}
