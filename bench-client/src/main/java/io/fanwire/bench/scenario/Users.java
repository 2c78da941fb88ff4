package io.fanwire.bench.scenario;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.bench.client.BenchClient;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;
import io.fanwire.common.protocol.Envelope;
import picocli.CommandLine.Command;

/**
 * {@code users}: ZeptoClaw's load: U users (one connection each) sending M messages per user per second to the
 * echo app for the duration; throughput, round trip (corrected), errors, and the server's memory per user from
 * its RSS before the users connected and at the end.
 */
@Command(name = "users", mixinStandardHelpOptions = true,
        description = "ZeptoClaw's users x messages per user per second x duration, with server memory per user.")
public final class Users extends BaseScenario {

    @Override
    public String name() {
        return "users";
    }

    @Override
    public String title() {
        return "Users";
    }

    @Override
    public String measures() {
        return "U users (--tiers), each sending --rate echo messages per second (default 1) for --duration: messages "
                + "per second, round trip from the intended send, loss, and server memory per user "
                + "((RSS at the end - RSS before connecting) / U).";
    }

    @Override
    public boolean closedLoop() {
        return false;
    }

    @Override
    public ScenarioResult run() throws Exception {
        List<TierResult> tiers = new ArrayList<>();
        List<Integer> counts = tiers("100,500,1000");
        ObjectNode payload = Payloads.filler(common.payload());
        ServerProbe probe = common.probe();
        try (BenchClient client = new BenchClient(common.clientOptions())) {
            for (int n : counts) {
                ServerProbe.ResourceSample before = probe.sample();
                PingLatency.Pings work = new PingLatency.Pings(
                        cid -> Envelope.of(Echo.TYPE, payload).withCorrelationId(cid));
                Fleet fleet = fleet(client, null, n, work);
                TierFigures figures = PingLatency.runTier(this, fleet, work, common.rateOr(1.0), 0, n + " users");
                ServerProbe.ResourceSample after = probe.sample();
                figures.counter("rss_before_bytes", before.rssBytes()).counter("rss_after_bytes", after.rssBytes());
                if (before.rssBytes() > 0 && after.rssBytes() > 0) {
                    figures.counter("rss_per_user_bytes", (after.rssBytes() - before.rssBytes()) / Math.max(1, n));
                } else {
                    figures.note("the server's RSS could not be read (use --server-pid for a local server)");
                }
                tiers.add(figures.build());
                fleet.closeAll(CLOSE_TIMEOUT);
                cooldown();
            }
        }
        return new ScenarioResult(name(), title(), measures(), closedLoop(), tiers, List.of());
    }
}
