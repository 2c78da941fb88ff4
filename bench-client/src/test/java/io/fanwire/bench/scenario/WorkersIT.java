package io.fanwire.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.ScenarioResult;
import io.fanwire.bench.report.TierResult;
import io.fanwire.bench.worker.WorkerException;
import io.fanwire.bench.worker.WorkerPlan;
import picocli.CommandLine;

/**
 * Scenarios spread over real worker processes (child JVMs of this classpath) against a real server: the merged
 * figures must equal the sums of what the workers did and what the server counted.
 */
@Timeout(value = 180)
class WorkersIT {

    @Test
    void aConnectStormOnTwoWorkersMergesExactly() throws Exception {
        try (TestServer server = TestServer.start()) {
            ConnectStorm storm = server.scenario(new ConnectStorm(), "--tiers", "30,71", "--workers", "2",
                    "--batch-size", "20");
            ScenarioResult result = storm.run();

            assertThat(result.tiers()).hasSize(2);
            TierResult big = result.tiers().get(1);
            assertThat(big.parameters()).containsEntry("workers", "2");
            assertThat(big.counter(Metric.CONNECTED)).isEqualTo(71);
            assertThat(big.counter(Metric.CONNECT_FAILED)).isZero();
            assertThat(big.latencies().get(Metric.HANDSHAKE).count()).isEqualTo(71);
            assertThat(result.tiers().getFirst().latencies().get(Metric.HANDSHAKE).count()).isEqualTo(30);
            assertThat(big.rates().get(Metric.CONNECTS_PER_S)).isPositive();
            assertThat(server.server.stats().connectionsAccepted.sum()).isEqualTo(101);
            assertThat(result.notes()).anyMatch(n -> n.startsWith("2 worker processes generated the load"));
            assertThat(storm.common().loadProcesses()).isEqualTo(2);
            // Every connection was closed at the end of its tier.
            assertThat(BaseScenario.awaitCondition(() -> server.server.connectionCount() == 0, Duration.ofSeconds(10)))
                    .isTrue();
        }
    }

    @Test
    void pingsOverACapPerProcessAreCountedOnceEach() throws Exception {
        try (TestServer server = TestServer.start()) {
            // 50 connections, at most 30 per process: two workers of 25.
            ScenarioResult result = server.scenario(new PingLatency(), "--tiers", "50",
                    "--max-connections-per-process", "30", "--duration", "1s", "--rate", "20").run();

            TierResult tier = result.tiers().getFirst();
            assertThat(tier.parameters()).containsEntry("workers", "2");
            assertThat(tier.counter(Metric.CONNECTED)).isEqualTo(50);
            long sent = tier.counter(Metric.SENT);
            // 50 connections x 20/s x 1 s over both workers' schedules.
            assertThat(sent + tier.counter("unsent")).isEqualTo(1000);
            assertThat(tier.counter("scheduled")).isEqualTo(1000);
            assertThat(tier.counter(Metric.RECEIVED)).isEqualTo(sent);
            assertThat(tier.counter(Metric.LOST)).isZero();
            assertThat(tier.counter(Metric.ERRORS)).isZero();
            assertThat(tier.latencies().get(Metric.RTT).count()).isEqualTo(sent);
            assertThat(tier.latencies().get(Metric.RTT_UNCORRECTED).count()).isEqualTo(sent);
            assertThat(server.server.stats().messagesIn.sum()).isEqualTo(sent);
            assertThat(tier.counter(Metric.SERVER_RECEIVED)).isEqualTo(sent);
        }
    }

    @Test
    void aHoldKeepsEachWorkersConnectionsFromTierToTier() throws Exception {
        try (TestServer server = TestServer.start()) {
            ScenarioResult result = server.scenario(new SustainedHold(), "--tiers", "20,41", "--workers", "2",
                    "--keep-connections", "--duration", "1s", "--ping-interval", "250ms").run();

            TierResult first = result.tiers().get(0);
            TierResult second = result.tiers().get(1);
            assertThat(first.counter("survived")).isEqualTo(20);
            // The second tier opened only the difference.
            assertThat(second.counter(Metric.CONNECTED)).isEqualTo(21);
            assertThat(second.counter("survived")).isEqualTo(41);
            assertThat(second.rates().get("survival_percent")).isEqualTo(100.0);
            assertThat(second.counter(Metric.RECEIVED)).isEqualTo(second.counter(Metric.SENT));
            assertThat(server.server.stats().connectionsAccepted.sum()).isEqualTo(41);
            assertThat(server.server.stats().messagesIn.sum())
                    .isEqualTo(first.counter(Metric.SENT) + second.counter(Metric.SENT));
        }
    }

    @Test
    void ingestOnWorkersIsWhatTheServerCounted() throws Exception {
        try (TestServer server = TestServer.start()) {
            ScenarioResult result = server.scenario(new Throughput(), "--tiers", "40", "--workers", "2",
                    "--duration", "1s", "--rate", "50").run();

            TierResult tier = result.tiers().getFirst();
            long sent = tier.counter(Metric.SENT);
            assertThat(sent).isPositive();
            assertThat(tier.counter(Metric.SERVER_RECEIVED)).isEqualTo(sent + tier.counter("protocol_frames"));
            assertThat(tier.counter(Metric.LOST)).isZero();
            assertThat(server.server.stats().messagesIn.sum()).isEqualTo(sent + tier.counter("protocol_frames"));
        }
    }

    @Test
    void sourceAddressesAreSplitAmongTheWorkers() throws Exception {
        try (TestServer server = TestServer.start()) {
            ScenarioResult result = server.scenario(new ConnectStorm(), "--tiers", "16", "--workers", "2",
                    "--source-addresses", "127.0.0.2-127.0.0.5").run();

            assertThat(result.tiers().getFirst().counter(Metric.CONNECTED)).isEqualTo(16);
            assertThat(BaseScenario.awaitCondition(() -> server.remoteHosts.size() == 4, Duration.ofSeconds(5))).isTrue();
            assertThat(server.remoteHosts).containsExactlyInAnyOrder("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5");
        }
    }

    @Test
    void aWorkerThatDiesFailsTheRunWithItsExitCode() throws Exception {
        try (TestServer server = TestServer.start()) {
            CommonOptions common = server.scenario(new PingLatency(), "--workers", "2", "--duration", "30s").common();
            WorkerPlan plan = common.workerPlan(10, "ping-latency", true);
            try (WorkerRun run = WorkerRun.start(common, plan)) {
                assertThat(run.connect(10, ProcessSlice.PING).size()).isEqualTo(10);
                long victim = run.pids().get(1);
                // A process this test started (a child of this JVM), ended by its pid.
                ProcessHandle.of(victim).orElseThrow().destroyForcibly();

                long start = System.nanoTime();
                assertThatThrownBy(() -> run.ping(1, 1, Duration.ofSeconds(30)))
                        .isInstanceOf(WorkerException.class)
                        .hasMessageContaining("worker 1 (pid " + victim + ") exited with code 137 during 'ping'");
                // It did not wait for the 30 s schedule of the worker that is still alive.
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            }
        }
    }

    @Test
    void scenariosWithoutWorkersRefuseWhatOneProcessCannotHold() throws Exception {
        try (TestServer server = TestServer.start()) {
            Echo echo = server.scenario(new Echo(), "--tiers", "50", "--max-connections-per-process", "30");
            assertThatThrownBy(echo::run).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("echo runs in one process, which holds at most 30 connections")
                    .hasMessageContaining("a tier of 50 needs worker processes");
            assertThat(server.server.stats().connectionsAccepted.sum()).isZero();
        }
    }

    @Test
    void theWorkerOptionsRoundTripWithoutTheCommandLine() {
        CommonOptions.WorkerOptions holder = new CommonOptions.WorkerOptions();
        new CommandLine(holder).parseArgs("--url", "ws://127.0.0.1:9/x", "--secret", "s3cret-0123456789-0123456789-abcdef",
                "--format", "msgpack", "--compression", "--token-carrier", "cookie", "--connect-timeout", "3s",
                "--late-threshold", "2ms", "--same-user", "--user-prefix", "u-");
        CommonOptions common = holder.common;
        List<String> args = common.workerArgs();
        CommonOptions copy = CommonOptions.parseWorkerArgs(args);

        assertThat(copy.clientOptions()).usingRecursiveComparison().ignoringFields("tokens")
                .isEqualTo(common.clientOptions());
        assertThat(copy.clientOptions().tokens().userFor(7)).isEqualTo("u-");
        assertThat(copy.lateThreshold).isEqualTo(Duration.ofMillis(2));
        assertThat(Arrays.asList(args.toArray())).contains("--compression", "--same-user");
    }
}
