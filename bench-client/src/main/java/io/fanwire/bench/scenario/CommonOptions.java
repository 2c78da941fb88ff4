package io.fanwire.bench.scenario;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fanwire.bench.client.ClientOptions;
import io.fanwire.bench.client.TokenCarrier;
import io.fanwire.bench.client.TokenSource;
import io.fanwire.bench.load.Durations;
import io.fanwire.bench.worker.SystemLimits;
import io.fanwire.bench.worker.WorkerPlan;
import io.fanwire.common.codec.WireFormat;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The options every scenario shares (a picocli mixin). */
public final class CommonOptions {

    /** The server's default WebSocket URL ({@code ./fanwire server} listens on 8000). */
    public static final String DEFAULT_URL = "ws://127.0.0.1:8000/ws";

    @Option(names = "--url", paramLabel = "URL", defaultValue = DEFAULT_URL,
            description = "WebSocket URL of the server under test (default: ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--secret", paramLabel = "SECRET", defaultValue = "${env:FANWIRE_BENCH_SECRET}",
            description = "HS256 secret to mint tokens with, one user per connection (or FANWIRE_BENCH_SECRET).")
    String secret;

    @Option(names = "--token", paramLabel = "JWT", description = "Use this token for every connection instead of minting.")
    String token;

    @Option(names = "--user-prefix", paramLabel = "PREFIX", defaultValue = "bench-",
            description = "Minted tokens have sub PREFIX<index> (default: ${DEFAULT-VALUE}).")
    String userPrefix;

    @Option(names = "--same-user", description = "Every minted token has the same sub (the prefix).")
    boolean sameUser;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:FANWIRE_BENCH_API_KEY}",
            description = "API key for /api/info, /api/publish and /metrics (or FANWIRE_BENCH_API_KEY).")
    String apiKey;

    @Option(names = "--api-url", paramLabel = "URL",
            description = "Base URL of the server's HTTP API and /metrics (default: the WebSocket URL's host and port).")
    URI apiUrl;

    @Option(names = "--metrics-url", paramLabel = "URL",
            description = "A node's /metrics URL (repeatable): server counts and resources are summed over all of them, "
                    + "as for the nodes of ./fanwire cluster, which share one WebSocket port (default: /metrics at the API URL).")
    List<URI> metricsUrls = new ArrayList<>();

    @Option(names = "--tiers", paramLabel = "N,N,...", description = "Connection counts, one tier each.")
    String tiers;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Measured time per tier (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--rate", paramLabel = "MSG/S",
            description = "Messages per second per connection (scenario default when absent).")
    Double rate;

    @Option(names = "--payload", paramLabel = "BYTES", defaultValue = "64",
            description = "Payload size in bytes (default: ${DEFAULT-VALUE}).")
    int payload;

    @Option(names = "--format", paramLabel = "json|msgpack", defaultValue = "json",
            description = "Message encoding, both ways (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--compression", description = "Ask for C: frames (client_hello) and send JSON above 1 KiB compressed.")
    boolean compression;

    @Option(names = "--token-carrier", paramLabel = "CARRIER", defaultValue = "header",
            description = "header, cookie, subprotocol, query or none (default: ${DEFAULT-VALUE}).")
    String tokenCarrier;

    @Option(names = "--raw", description = "A plain WebSocket server: no server_ready, no Fanwire envelopes expected.")
    boolean raw;

    @Option(names = "--source-addresses", paramLabel = "A-B|A,B",
            description = "Local addresses to connect from, round-robin, e.g. 127.0.0.1-127.0.0.8.")
    String sourceAddresses;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "0",
            description = "Load processes: 0 starts worker processes only when a tier exceeds what one process can hold "
                    + "(default: ${DEFAULT-VALUE}); 1 keeps every connection in this process; N >= 2 spreads them over N workers.")
    int workers;

    @Option(names = "--max-connections-per-process", paramLabel = "N", defaultValue = "0",
            description = "Connections one process may hold (default 0: the open-files limit less a margin).")
    int maxConnectionsPerProcess;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "500",
            description = "Connection attempts in flight at once (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--ramp-rate", paramLabel = "CONN/S", defaultValue = "0",
            description = "New connections per second at most; 0: as fast as the batch size allows.")
    double rampRate;

    @Option(names = "--keep-connections", description = "Keep a tier's connections for the next tier (which adds the difference).")
    boolean keepConnections;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "0", description = "Client event loops (0: one per core).")
    int ioThreads;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Connect through server_ready within this (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--cooldown", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
            description = "Pause between tiers (default: ${DEFAULT-VALUE}).")
    Duration cooldown;

    @Option(names = "--late-threshold", paramLabel = "DURATION", defaultValue = "5ms", converter = DurationConverter.class,
            description = "A paced send later than this after its intended time counts as late (default: ${DEFAULT-VALUE}).")
    Duration lateThreshold;

    @Option(names = "--server-pid", paramLabel = "PID", defaultValue = "-1",
            description = "Read the server's memory and CPU from /proc/PID instead of /metrics.")
    long serverPid;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Write the reports to DIR: report.json, report.txt, report.md and report.html.")
    Path out;

    @Option(names = "--report-format", paramLabel = "json|text|md|html", split = ",",
            description = "Report formats written with --out (default: all of them).")
    List<String> reportFormats = new ArrayList<>();

    @Option(names = "--threshold", paramLabel = "EXPR",
            description = "A check per tier, e.g. p99<5ms, errors==0, loss<0.1%%, ping-latency:rtt.p99<2ms "
                    + "(repeatable); a failed check makes the exit code 99.")
    List<String> thresholds = new ArrayList<>();

    @Option(names = "--baseline", paramLabel = "FILE",
            description = "A previous report.json: print the change per metric and flag regressions.")
    Path baseline;

    @Option(names = "--tolerance", paramLabel = "PERCENT", defaultValue = "10",
            description = "A change beyond this is a regression against --baseline (default: ${DEFAULT-VALUE}).")
    double tolerancePercent;

    /** Where tiers report their progress while they run; set by the command that runs the scenario. */
    private io.fanwire.bench.report.Progress progress;

    /** The most processes that opened connections in this run (1, or the workers); recorded by the scenarios. */
    private int loadProcesses = 1;

    /** Source addresses a plan chose by itself (beyond the ports of one address), when none were given. */
    private List<InetAddress> plannedSourceAddresses = List.of();

    /** A copy of these options with other tiers, duration and rate ({@code null}: keep). */
    public CommonOptions with(String tiers, Duration duration, Double rate) {
        CommonOptions c = new CommonOptions();
        for (java.lang.reflect.Field f : CommonOptions.class.getDeclaredFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            try {
                f.set(c, f.get(this));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        if (tiers != null) {
            c.tiers = tiers;
        }
        if (duration != null) {
            c.duration = duration;
        }
        if (rate != null) {
            c.rate = rate;
        }
        return c;
    }

    /** The effective tiers: the option, or {@code fallback}. */
    public String tiersOr(String fallback) {
        return tiers != null ? tiers : fallback;
    }

    /** The per-connection rate: the option, or {@code fallback}. */
    public double rateOr(double fallback) {
        return rate != null ? rate : fallback;
    }

    /** The progress line tiers update, or {@code null} for none. */
    public io.fanwire.bench.report.Progress progress() {
        return progress;
    }

    /** Sets where tiers report their progress. */
    public void progress(io.fanwire.bench.report.Progress progress) {
        this.progress = progress;
    }

    /** The most processes that opened connections so far in this run: 1, or the worker processes. */
    public int loadProcesses() {
        return loadProcesses;
    }

    /** Uses {@code addresses} as source addresses when {@code --source-addresses} gave none. */
    void plannedSourceAddresses(List<InetAddress> addresses) {
        plannedSourceAddresses = List.copyOf(addresses);
    }

    /** Records that a tier ran on {@code processes} processes. */
    void recordLoadProcesses(int processes) {
        loadProcesses = Math.max(loadProcesses, processes);
    }

    /** {@code --workers}: 0 automatic, 1 this process only, N worker processes. */
    public int workers() {
        return workers;
    }

    /**
     * How a run whose largest tier is {@code maxConnections} spreads over processes, from {@code --workers},
     * {@code --max-connections-per-process}, this process's open-files limit, {@code --source-addresses} and the
     * ephemeral port range.
     *
     * @throws IllegalArgumentException when the tier cannot be held as asked (see {@link WorkerPlan#of})
     */
    public WorkerPlan workerPlan(int maxConnections, String scenario, boolean scenarioSupportsWorkers) {
        return WorkerPlan.of(new WorkerPlan.Inputs(maxConnections, workers, maxConnectionsPerProcess,
                SystemLimits.openFilesLimit(), SystemLimits.ephemeralPorts(), addresses(sourceAddresses), url.getHost(),
                scenario, scenarioSupportsWorkers));
    }

    /**
     * The options a worker process needs to open and speak on connections as this process would, as command-line
     * arguments for {@link #parseWorkerArgs} (secrets included: they travel on the worker's stdin, never on a
     * command line).
     */
    List<String> workerArgs() {
        List<String> args = new ArrayList<>(List.of("--url", url.toString(), "--user-prefix", userPrefix,
                "--format", format, "--token-carrier", tokenCarrier, "--io-threads", Integer.toString(ioThreads),
                "--connect-timeout", connectTimeout.toMillis() + "ms", "--late-threshold",
                lateThreshold.toNanos() / 1000 + "us"));
        if (secret != null) {
            args.addAll(List.of("--secret", secret));
        }
        if (token != null) {
            args.addAll(List.of("--token", token));
        }
        if (sameUser) {
            args.add("--same-user");
        }
        if (compression) {
            args.add("--compression");
        }
        if (raw) {
            args.add("--raw");
        }
        return args;
    }

    /** Options parsed from {@link #workerArgs}. */
    static CommonOptions parseWorkerArgs(List<String> args) {
        WorkerOptions holder = new WorkerOptions();
        new picocli.CommandLine(holder).parseArgs(args.toArray(String[]::new));
        return holder.common;
    }

    /** A command that holds only the common options, to parse a worker's. */
    @picocli.CommandLine.Command(name = "worker")
    static final class WorkerOptions {
        @picocli.CommandLine.Mixin
        CommonOptions common = new CommonOptions();
    }

    /** {@code --threshold} expressions as given. */
    public List<String> thresholds() {
        return thresholds;
    }

    /** {@code --baseline}, or {@code null}. */
    public Path baseline() {
        return baseline;
    }

    public double tolerancePercent() {
        return tolerancePercent;
    }

    /** {@code --format}: the report formats to write, empty for all. */
    public List<String> reportFormats() {
        return reportFormats;
    }

    /** {@code --out}, or {@code null}. */
    public Path out() {
        return out;
    }

    public Duration duration() {
        return duration;
    }

    public int payload() {
        return payload;
    }

    public WireFormat wireFormat() {
        return switch (format.toLowerCase(java.util.Locale.ROOT)) {
            case "json" -> WireFormat.JSON;
            case "msgpack" -> WireFormat.MSGPACK;
            default -> throw new IllegalArgumentException("format: " + format + " (expected: json or msgpack)");
        };
    }

    /** The token source: a fixed token, minted tokens from the secret, or none. */
    public TokenSource tokens() {
        if (token != null && !token.isEmpty()) {
            return TokenSource.fixed(token);
        }
        if (secret != null && !secret.isEmpty()) {
            return TokenSource.minted(secret, userPrefix, sameUser, Duration.ofHours(24),
                    Map.of("fanwire_publish", Map.of("allow", List.of("*"))));
        }
        return TokenSource.NONE;
    }

    /** The client options these options describe. */
    public ClientOptions clientOptions() {
        TokenSource tokens = tokens();
        TokenCarrier carrier = tokens == TokenSource.NONE ? TokenCarrier.NONE : TokenCarrier.parse(tokenCarrier);
        return new ClientOptions(url, carrier, tokens, wireFormat(), compression, raw,
                sourceAddresses == null || sourceAddresses.isBlank() ? plannedSourceAddresses : addresses(sourceAddresses),
                connectTimeout, ClientOptions.DEFAULT_MAX_FRAME_BYTES, ioThreads);
    }

    /** {@code http://host:port} of the API: {@code --api-url}, or the WebSocket URL's authority. */
    public URI apiBase() {
        if (apiUrl != null) {
            return apiUrl;
        }
        return URI.create("http://" + url.getRawAuthority());
    }

    /**
     * A probe of the server under test. A raw peer has no Fanwire HTTP API: unless {@code --api-url} names one,
     * only {@code /proc} of {@code --server-pid} is read.
     */
    public ServerProbe probe() {
        return new ServerProbe(raw && apiUrl == null ? null : apiBase(), List.copyOf(metricsUrls), apiKey, serverPid);
    }

    /** The options as text for the report, secrets masked. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("url", String.valueOf(url));
        m.put("secret", secret == null ? "-" : "***");
        m.put("token", token == null ? "-" : "***");
        m.put("api_key", apiKey == null ? "-" : "***");
        m.put("api_url", apiBase().toString());
        if (!metricsUrls.isEmpty()) {
            m.put("metrics_urls", metricsUrls.toString());
        }
        m.put("tiers", String.valueOf(tiers));
        m.put("duration", duration.toString());
        m.put("rate", String.valueOf(rate));
        m.put("payload", Integer.toString(payload));
        m.put("format", format);
        m.put("compression", Boolean.toString(compression));
        m.put("token_carrier", tokenCarrier);
        m.put("raw", Boolean.toString(raw));
        m.put("source_addresses", String.valueOf(sourceAddresses));
        m.put("workers", Integer.toString(workers));
        m.put("max_connections_per_process", Integer.toString(maxConnectionsPerProcess));
        m.put("batch_size", Integer.toString(batchSize));
        m.put("ramp_rate", Double.toString(rampRate));
        m.put("keep_connections", Boolean.toString(keepConnections));
        m.put("late_threshold", lateThreshold.toString());
        m.put("server_pid", Long.toString(serverPid));
        return m;
    }

    /** Parses {@code 127.0.0.1-127.0.0.8} (a range in the last octet) or a comma-separated list. */
    static List<InetAddress> addresses(String text) {
        List<InetAddress> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        try {
            for (String part : text.split(",")) {
                String p = part.trim();
                int dash = p.indexOf('-');
                if (dash < 0) {
                    out.add(InetAddress.getByName(p));
                    continue;
                }
                byte[] from = InetAddress.getByName(p.substring(0, dash)).getAddress();
                byte[] to = InetAddress.getByName(p.substring(dash + 1)).getAddress();
                if (from.length != 4 || to.length != 4 || from[0] != to[0] || from[1] != to[1] || from[2] != to[2]) {
                    throw new IllegalArgumentException("source addresses: " + p
                            + " (expected: an IPv4 range in the last octet, like 127.0.0.1-127.0.0.8)");
                }
                for (int last = from[3] & 0xff; last <= (to[3] & 0xff); last++) {
                    out.add(InetAddress.getByAddress(new byte[] {from[0], from[1], from[2], (byte) last}));
                }
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("source addresses: " + text + " (" + e.getMessage() + ")", e);
        }
        return out;
    }

    /** picocli converter for durations like {@code 500ms}, {@code 10s}, {@code 5m}. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Durations.parse(value);
        }
    }
}
