package io.fanwire.bench.scenario;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import io.fanwire.bench.worker.SystemLimits;
import io.fanwire.bench.worker.WorkerPlan;

/**
 * What a run needs from the machine and what the machine offers: processes and file descriptors against
 * connections, ephemeral ports per source address, the accept backlog. It only reads; it never changes a
 * setting, but says which command would.
 *
 * @param lines    one line per check, for the console
 * @param warnings the checks that fall short
 */
public record Preflight(List<String> lines, List<String> warnings) {

    /** Checks what a largest tier of {@code connections} needs when spread as {@code plan} says. */
    public static Preflight check(int connections, WorkerPlan plan) {
        return check(connections, plan, SystemLimits.openFilesLimit(), SystemLimits.ephemeralPortRange(),
                SystemLimits.read("/proc/sys/net/core/somaxconn"), SystemLimits.read("/proc/sys/net/ipv4/tcp_max_syn_backlog"));
    }

    static Preflight check(int connections, WorkerPlan plan, long fds, long[] portRange, String somaxconn,
                           String synBacklog) {
        List<String> lines = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        int share = 0;
        for (int s : plan.shares(connections)) {
            share = Math.max(share, s);
        }
        String capacity = plan.perProcess() == Integer.MAX_VALUE ? "no limit known" : "up to " + plan.perProcess()
                + " each";
        lines.add(plan.distributed()
                ? "processes: " + plan.workers() + " worker processes, " + share + " connections each at most ("
                        + capacity + ")"
                : "processes: this one (" + capacity + ")");
        long fdsNeeded = share + 100L;
        lines.add("file descriptors: need ~" + fdsNeeded + " per process, limit " + (fds < 0 ? "unknown" : fds));
        if (fds >= 0 && fds < fdsNeeded) {
            warnings.add("the open-files limit (" + fds + ") is below the " + fdsNeeded + " a process needs; "
                    + "raise ulimit -n, or use more worker processes (--workers, --max-connections-per-process)");
        }
        List<InetAddress> addresses = plan.allAddresses();
        int perAddress = addresses.isEmpty() ? connections : plan.connectionsPerAddress(connections);
        String from = addresses.isEmpty() ? "one destination, the kernel's source address"
                : addresses.size() + " source address(es)" + (plan.autoAddresses() ? ", chosen automatically: "
                        + addresses.getFirst().getHostAddress() + "-" + addresses.getLast().getHostAddress() : "")
                        + (plan.sharedAddresses() ? ", shared by the workers" : "");
        if (portRange != null) {
            long ports = portRange[1] - portRange[0] + 1;
            lines.add("ephemeral ports: need ~" + perAddress + " per source address (" + from + "), range "
                    + portRange[0] + "-" + portRange[1] + " (" + ports + ")");
            if (ports < perAddress) {
                warnings.add("the ephemeral port range holds " + ports + " ports, fewer than the " + perAddress
                        + " one source address needs; widen it with sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\" "
                        + "or add --source-addresses 127.0.0.1-127.0.0.8");
            }
        }
        if (somaxconn != null && !somaxconn.isBlank()) {
            lines.add("accept backlog: net.core.somaxconn " + somaxconn.trim() + ", tcp_max_syn_backlog "
                    + (synBacklog == null ? "unknown" : synBacklog.trim()));
            if (Long.parseLong(somaxconn.trim()) < 1024) {
                warnings.add("net.core.somaxconn is " + somaxconn.trim() + "; connect storms may see SYN drops "
                        + "(sysctl -w net.core.somaxconn=4096)");
            }
        }
        return new Preflight(List.copyOf(lines), List.copyOf(warnings));
    }
}
