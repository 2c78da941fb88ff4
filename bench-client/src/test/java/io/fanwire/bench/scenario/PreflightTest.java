package io.fanwire.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fanwire.bench.worker.WorkerPlan;

class PreflightTest {

    private static final long[] DEFAULT_RANGE = {32768, 60999};

    private static WorkerPlan plan(int connections, long fds, long ports) {
        return WorkerPlan.of(new WorkerPlan.Inputs(connections, 0, 0, fds, ports, List.of(), "127.0.0.1",
                "sustained-hold", true));
    }

    @Test
    void aHundredThousandConnectionsNeedSixWorkersWithAnAddressEach() {
        Preflight preflight = Preflight.check(100_000, plan(100_000, 20_000, 28_232), 20_000, DEFAULT_RANGE, "4096\n",
                "2048\n");

        assertThat(preflight.lines()).containsExactly(
                "processes: 6 worker processes, 16667 connections each at most (up to 19600 each)",
                "file descriptors: need ~16767 per process, limit 20000",
                "ephemeral ports: need ~16667 per source address (6 source address(es), chosen automatically: "
                        + "127.0.0.1-127.0.0.6), range 32768-60999 (28232)",
                "accept backlog: net.core.somaxconn 4096, tcp_max_syn_backlog 2048");
        assertThat(preflight.warnings()).isEmpty();
    }

    @Test
    void whatFallsShortIsSaidWithTheCommandThatWouldFixIt() {
        // A remote server (no loopback rotation) and the machine's limits below what one process needs.
        WorkerPlan remote = WorkerPlan.of(new WorkerPlan.Inputs(40_000, 0, 50_000, 20_000, 28_232, List.of(),
                "10.1.2.3", "connect-storm", true));
        Preflight preflight = Preflight.check(40_000, remote, 20_000, DEFAULT_RANGE, "128", "128");

        assertThat(preflight.warnings()).hasSize(3);
        assertThat(preflight.warnings().get(0)).contains("open-files limit (20000) is below the 40100");
        assertThat(preflight.warnings().get(1)).contains("28232 ports, fewer than the 40000",
                "sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\"");
        assertThat(preflight.warnings().get(2)).contains("somaxconn is 128");
    }
}
