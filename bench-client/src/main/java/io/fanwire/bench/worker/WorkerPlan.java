package io.fanwire.bench.worker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a run spreads its connections over processes: in this process ({@link #workers()} 0), or over worker
 * processes, each holding at most {@link #perProcess()} connections, and the source addresses each binds.
 *
 * <p>The capacity of one process comes from its open-files limit less a margin for the JVM's own files
 * ({@link #capacityFor}). Workers are spawned when the largest tier does not fit in one process, or when
 * {@code --workers} asks for them. Beyond {@link #MAX_PORTS_PER_ADDRESS} connections from one address (or the
 * ephemeral port range, if smaller) to a loopback server, the run rotates over {@code 127.0.0.x} by itself.
 *
 * @param workers        worker processes to start; 0 runs every connection in this process
 * @param perProcess     connections one process may hold
 * @param addresses      the source addresses of each worker (one list, for this process, when {@code workers} is 0);
 *                       an empty list leaves the choice to the kernel
 * @param autoAddresses  whether the addresses were chosen by the plan rather than {@code --source-addresses}
 * @param sharedAddresses whether the workers share every address (fewer addresses than workers) rather than
 *                       each binding its own
 */
public record WorkerPlan(int workers, int perProcess, List<List<InetAddress>> addresses, boolean autoAddresses,
                         boolean sharedAddresses) {

    /** Connections per source address beyond which the plan rotates addresses on its own (~64K ports less room). */
    public static final int MAX_PORTS_PER_ADDRESS = 60_000;
    /** File descriptors a bench JVM keeps for itself (jars, epoll, pipes) at least. */
    public static final int MIN_FD_MARGIN = 256;

    public WorkerPlan {
        if (workers < 0) {
            throw new IllegalArgumentException("workers: " + workers + " (expected: >= 0)");
        }
        if (perProcess <= 0) {
            throw new IllegalArgumentException("perProcess: " + perProcess + " (expected: > 0)");
        }
        addresses = addresses.stream().map(List::copyOf).toList();
        if (addresses.size() != Math.max(1, workers)) {
            throw new IllegalArgumentException("addresses: " + addresses.size() + " lists (expected: "
                    + Math.max(1, workers) + ")");
        }
    }

    /** What the machine and the options say. */
    public record Inputs(int maxConnections, int forcedWorkers, int maxPerProcess, long openFilesLimit,
                         long ephemeralPorts, List<InetAddress> sourceAddresses, String destinationHost,
                         String scenario, boolean scenarioSupportsWorkers) {
        public Inputs {
            sourceAddresses = List.copyOf(sourceAddresses);
            Objects.requireNonNull(scenario, "scenario");
            if (forcedWorkers < 0) {
                throw new IllegalArgumentException("workers: " + forcedWorkers + " (expected: >= 0, 0 for automatic)");
            }
            if (maxPerProcess < 0) {
                throw new IllegalArgumentException("max-connections-per-process: " + maxPerProcess
                        + " (expected: >= 0, 0 for the open-files limit less a margin)");
            }
        }
    }

    /** Whether connections go to worker processes. */
    public boolean distributed() {
        return workers > 0;
    }

    /** Processes that open connections: the workers, or this one. */
    public int loadProcesses() {
        return Math.max(1, workers);
    }

    /** The connections one process may hold under an open-files limit: the limit less a margin (1/50, at least 256). */
    public static int capacityFor(long openFilesLimit) {
        if (openFilesLimit < 0 || openFilesLimit >= Integer.MAX_VALUE) {
            return Integer.MAX_VALUE;
        }
        long margin = Math.max(MIN_FD_MARGIN, openFilesLimit / 50);
        return (int) Math.max(1, openFilesLimit - margin);
    }

    /** Connections from one source address the port range allows, with 5 % room, at most {@link #MAX_PORTS_PER_ADDRESS}. */
    public static int portsPerAddress(long ephemeralPorts) {
        if (ephemeralPorts <= 0) {
            return MAX_PORTS_PER_ADDRESS;
        }
        return (int) Math.min(MAX_PORTS_PER_ADDRESS, ephemeralPorts - ephemeralPorts / 20);
    }

    /**
     * The plan for {@code in}.
     *
     * @throws IllegalArgumentException when the largest tier cannot be held as asked: more than one process can
     *                                  hold with {@code --workers 1}, or a scenario that runs in one process only
     */
    public static WorkerPlan of(Inputs in) {
        int capacity = in.maxPerProcess() > 0 ? in.maxPerProcess() : capacityFor(in.openFilesLimit());
        String source = in.maxPerProcess() > 0 ? "--max-connections-per-process" : "the open-files limit "
                + in.openFilesLimit() + " less a margin";
        int n = in.maxConnections();
        int workers;
        if (in.forcedWorkers() == 1) {
            if (n > capacity) {
                throw new IllegalArgumentException("--workers 1: a tier of " + n + " connections exceeds the " + capacity
                        + " one process can hold (" + source + "); drop --workers to spread them over processes");
            }
            workers = 0;
        } else if (in.forcedWorkers() > 1) {
            workers = in.forcedWorkers();
            int share = ceilDiv(n, workers);
            if (share > capacity) {
                throw new IllegalArgumentException("--workers " + workers + ": " + n + " connections make " + share
                        + " per process, above the " + capacity + " one process can hold (" + source + ")");
            }
        } else {
            workers = n > capacity ? ceilDiv(n, capacity) : 0;
        }
        if (workers > 0 && !in.scenarioSupportsWorkers()) {
            throw new IllegalArgumentException(in.scenario() + " runs in one process, which holds at most " + capacity
                    + " connections (" + source + "); " + (in.forcedWorkers() > 1 ? "--workers " + workers
                    : "a tier of " + n) + " needs worker processes, which connect-storm, ping-latency, sustained-hold "
                    + "and throughput support");
        }
        int processes = Math.max(1, workers);
        List<InetAddress> addresses = in.sourceAddresses();
        boolean auto = false;
        int perAddress = portsPerAddress(in.ephemeralPorts());
        if (addresses.isEmpty() && n > perAddress && isLoopbackIpv4(in.destinationHost())) {
            int needed = ceilDiv(n, perAddress);
            // One address per worker at least, and a multiple of the workers: every worker binds its own.
            if (workers > 0) {
                needed = ceilDiv(Math.max(needed, workers), workers) * workers;
            }
            if (needed > 254) {
                throw new IllegalArgumentException(n + " connections need " + needed + " source addresses of "
                        + perAddress + " ports each, more than 127.0.0.1-127.0.0.254 holds");
            }
            addresses = loopbackRange(needed);
            auto = true;
        }
        List<List<InetAddress>> split = new ArrayList<>();
        boolean shared = false;
        if (workers == 0) {
            split.add(addresses);
        } else if (addresses.size() >= workers) {
            for (int w = 0; w < workers; w++) {
                List<InetAddress> mine = new ArrayList<>();
                for (int i = w; i < addresses.size(); i += workers) {
                    mine.add(addresses.get(i));
                }
                split.add(mine);
            }
        } else {
            // Fewer addresses than workers: each uses all of them; connection indexes are global and
            // contiguous per worker, so the round-robin still spreads every address evenly.
            shared = !addresses.isEmpty();
            for (int w = 0; w < workers; w++) {
                split.add(addresses);
            }
        }
        return new WorkerPlan(workers, capacity, split, auto, shared);
    }

    /** {@code n} split into {@code parts} shares that differ by at most one, larger ones first. */
    public static int[] split(int n, int parts) {
        if (parts <= 0) {
            throw new IllegalArgumentException("parts: " + parts + " (expected: > 0)");
        }
        int[] shares = new int[parts];
        for (int i = 0; i < parts; i++) {
            shares[i] = n / parts + (i < n % parts ? 1 : 0);
        }
        return shares;
    }

    /** The connections of a tier of {@code n} for each process. */
    public int[] shares(int n) {
        return split(n, loadProcesses());
    }

    /**
     * The most connections any one source address carries in a tier of {@code n} (0 when the kernel chooses
     * the address).
     */
    public int connectionsPerAddress(int n) {
        int[] shares = shares(n);
        if (sharedAddresses) {
            return ceilDiv(n, addresses.getFirst().size());
        }
        int most = 0;
        for (int w = 0; w < shares.length; w++) {
            List<InetAddress> mine = addresses.get(w);
            if (!mine.isEmpty()) {
                most = Math.max(most, ceilDiv(shares[w], mine.size()));
            }
        }
        return most;
    }

    /** Every distinct source address of the plan. */
    public List<InetAddress> allAddresses() {
        return addresses.stream().flatMap(List::stream).distinct().toList();
    }

    private static List<InetAddress> loopbackRange(int count) {
        List<InetAddress> out = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            try {
                out.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) i}));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    private static boolean isLoopbackIpv4(String host) {
        if (host == null) {
            return false;
        }
        if (host.equals("localhost")) {
            return true;
        }
        String[] parts = host.split("\\.");
        return parts.length == 4 && parts[0].equals("127") && host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
