package io.fanwire.bench.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class WorkerPlanTest {

    private static WorkerPlan plan(int connections, int forced, int perProcess, long fds, long ports,
                                   List<InetAddress> addresses, boolean supports) {
        return WorkerPlan.of(new WorkerPlan.Inputs(connections, forced, perProcess, fds, ports, addresses, "127.0.0.1",
                "ping-latency", supports));
    }

    private static List<InetAddress> addresses(String... hosts) throws Exception {
        InetAddress[] out = new InetAddress[hosts.length];
        for (int i = 0; i < hosts.length; i++) {
            out[i] = InetAddress.getByName(hosts[i]);
        }
        return List.of(out);
    }

    private static List<String> hosts(List<InetAddress> addresses) {
        return addresses.stream().map(InetAddress::getHostAddress).toList();
    }

    @Test
    void sharesDifferByAtMostOneAndAddUp() {
        assertThat(WorkerPlan.split(10, 3)).containsExactly(4, 3, 3);
        assertThat(WorkerPlan.split(100_000, 6)).containsExactly(16_667, 16_667, 16_667, 16_667, 16_666, 16_666);
        assertThat(Arrays.stream(WorkerPlan.split(100_000, 6)).sum()).isEqualTo(100_000);
        assertThat(WorkerPlan.split(2, 4)).containsExactly(1, 1, 0, 0);
        assertThatThrownBy(() -> WorkerPlan.split(1, 0)).hasMessage("parts: 0 (expected: > 0)");
    }

    @Test
    void capacityIsTheOpenFilesLimitLessAMargin() {
        assertThat(WorkerPlan.capacityFor(20_000)).isEqualTo(19_600);
        assertThat(WorkerPlan.capacityFor(1024)).isEqualTo(768);
        assertThat(WorkerPlan.capacityFor(1_000_000)).isEqualTo(980_000);
        assertThat(WorkerPlan.capacityFor(-1)).isEqualTo(Integer.MAX_VALUE);
        assertThat(WorkerPlan.capacityFor(Long.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void workersStartOnlyWhenATierExceedsOneProcess() {
        WorkerPlan small = plan(19_600, 0, 0, 20_000, 28_232, List.of(), true);
        assertThat(small.distributed()).isFalse();
        assertThat(small.loadProcesses()).isEqualTo(1);

        WorkerPlan big = plan(100_000, 0, 0, 20_000, 28_232, List.of(), true);
        assertThat(big.workers()).isEqualTo(6);
        assertThat(big.perProcess()).isEqualTo(19_600);
        assertThat(big.shares(100_000)).containsExactly(16_667, 16_667, 16_667, 16_667, 16_666, 16_666);
        assertThat(big.shares(10)).containsExactly(2, 2, 2, 2, 1, 1);
    }

    @Test
    void theOptionsForceTheCountOrTheCapacity() {
        assertThat(plan(50, 2, 0, 20_000, 28_232, List.of(), true).workers()).isEqualTo(2);
        assertThat(plan(50, 0, 30, 20_000, 28_232, List.of(), true).workers()).isEqualTo(2);
        assertThat(plan(50, 0, 30, 20_000, 28_232, List.of(), true).perProcess()).isEqualTo(30);
        assertThat(plan(50, 1, 0, 20_000, 28_232, List.of(), true).distributed()).isFalse();
        assertThatThrownBy(() -> plan(50, 1, 30, 20_000, 28_232, List.of(), true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--workers 1: a tier of 50 connections exceeds the 30 one process can hold");
        assertThatThrownBy(() -> plan(100, 2, 30, 20_000, 28_232, List.of(), true))
                .hasMessageContaining("--workers 2: 100 connections make 50 per process, above the 30");
        assertThatThrownBy(() -> plan(50, -1, 0, 20_000, 28_232, List.of(), true))
                .hasMessageContaining("workers: -1 (expected: >= 0");
    }

    @Test
    void aScenarioWithoutWorkersRefusesWhatOneProcessCannotHold() {
        assertThat(plan(19_000, 0, 0, 20_000, 28_232, List.of(), false).distributed()).isFalse();
        assertThatThrownBy(() -> plan(30_000, 0, 0, 20_000, 28_232, List.of(), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ping-latency runs in one process, which holds at most 19600 connections")
                .hasMessageContaining("a tier of 30000 needs worker processes");
    }

    @Test
    void givenAddressesAreSplitAmongWorkersOrSharedWhenTooFew() throws Exception {
        WorkerPlan split = plan(40, 2, 0, 20_000, 28_232,
                addresses("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"), true);
        assertThat(split.sharedAddresses()).isFalse();
        assertThat(hosts(split.addresses().get(0))).containsExactly("127.0.0.2", "127.0.0.4", "127.0.0.6");
        assertThat(hosts(split.addresses().get(1))).containsExactly("127.0.0.3", "127.0.0.5");
        // 20 connections over 2 addresses in the second worker.
        assertThat(split.connectionsPerAddress(40)).isEqualTo(10);

        WorkerPlan shared = plan(40, 3, 0, 20_000, 28_232, addresses("127.0.0.2", "127.0.0.3"), true);
        assertThat(shared.sharedAddresses()).isTrue();
        assertThat(shared.addresses()).allSatisfy(a -> assertThat(hosts(a)).containsExactly("127.0.0.2", "127.0.0.3"));
        assertThat(shared.connectionsPerAddress(40)).isEqualTo(20);
        assertThat(shared.autoAddresses()).isFalse();
    }

    @Test
    void loopbackAddressesRotateBeyondThePortsOfOneAddress() {
        // 28,232 ephemeral ports (the kernel's default range) less 5 %: 26,821 per address.
        WorkerPlan none = plan(26_000, 0, 0, 1_000_000, 28_232, List.of(), true);
        assertThat(none.autoAddresses()).isFalse();
        assertThat(none.allAddresses()).isEmpty();

        WorkerPlan inProcess = plan(60_000, 0, 0, 1_000_000, 28_232, List.of(), true);
        assertThat(inProcess.distributed()).isFalse();
        assertThat(inProcess.autoAddresses()).isTrue();
        assertThat(hosts(inProcess.addresses().getFirst())).containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3");

        // Six workers: one address each at least, so each binds its own.
        WorkerPlan workers = plan(100_000, 0, 0, 20_000, 28_232, List.of(), true);
        assertThat(workers.autoAddresses()).isTrue();
        assertThat(workers.allAddresses()).hasSize(6);
        assertThat(hosts(workers.addresses().get(5))).containsExactly("127.0.0.6");
        assertThat(workers.connectionsPerAddress(100_000)).isEqualTo(16_667);

        // A wide port range holds 60,000 per address at most.
        WorkerPlan wide = plan(130_000, 0, 1_000_000, 1_000_000, 64_512, List.of(), true);
        assertThat(wide.allAddresses()).hasSize(3);
        assertThat(WorkerPlan.portsPerAddress(64_512)).isEqualTo(WorkerPlan.MAX_PORTS_PER_ADDRESS);
    }

    @Test
    void aRemoteServerGetsNoLoopbackRotation() {
        WorkerPlan remote = WorkerPlan.of(new WorkerPlan.Inputs(100_000, 0, 0, 20_000, 28_232, List.of(),
                "bench.example.org", "connect-storm", true));
        assertThat(remote.workers()).isEqualTo(6);
        assertThat(remote.allAddresses()).isEmpty();
    }

    @Test
    void theOpenFilesLimitIsReadFromProcLimits() {
        String limits = """
                Limit                     Soft Limit           Hard Limit           Units
                Max cpu time              unlimited            unlimited            seconds
                Max open files            20000                20000                files
                """;
        assertThat(SystemLimits.openFilesLimit(limits)).isEqualTo(20_000);
        assertThat(SystemLimits.openFilesLimit("Max open files  unlimited unlimited files")).isEqualTo(Long.MAX_VALUE);
        assertThat(SystemLimits.openFilesLimit("nothing here")).isEqualTo(-1);
        assertThat(SystemLimits.openFilesLimit(null)).isEqualTo(-1);
        // This machine's, read for real.
        assertThat(SystemLimits.openFilesLimit()).isPositive();
    }
}
