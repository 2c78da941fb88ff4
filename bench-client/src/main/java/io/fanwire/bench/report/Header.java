package io.fanwire.bench.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/** The facts a figure needs to be reproduced (see BENCHMARKING.md), as label/value lines for every format. */
final class Header {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Header() {
    }

    static String when(RunReport report) {
        return when(report.startedAt());
    }

    static String when(Instant instant) {
        return WHEN.format(instant);
    }

    static double runSeconds(RunReport report) {
        return Duration.between(report.startedAt(), report.finishedAt()).toMillis() / 1000.0;
    }

    /** Run, target, machine, JDK, JVM flags, client, command and options, in that order. */
    static Map<String, String> lines(RunReport report) {
        RunEnvironment env = report.environment();
        RunTarget target = report.target();
        Map<String, String> lines = new LinkedHashMap<>();
        lines.put("Run", when(report) + ", " + Figures.seconds(runSeconds(report)));
        StringBuilder server = new StringBuilder(target.url()).append(" — ").append(target.serverName());
        if (!"unknown".equals(target.serverVersion())) {
            server.append(' ').append(target.serverVersion());
        }
        if (target.serverPid() >= 0) {
            server.append(" (pid ").append(target.serverPid()).append(')');
        }
        lines.put("Target", server.toString());
        StringJoiner machine = new StringJoiner(" · ");
        machine.add(env.hostname()).add(env.os()).add(env.cores() + (env.cores() == 1 ? " core" : " cores"));
        if (env.memoryBytes() >= 0) {
            machine.add(Figures.bytes(env.memoryBytes()) + " RAM");
        }
        lines.put("Machine", machine.toString());
        lines.put("JDK", env.jdk());
        lines.put("JVM flags", env.jvmFlags().isEmpty() ? "none" : String.join(" ", env.jvmFlags()));
        lines.put("Client", "fanwire bench " + env.benchVersion() + " · " + env.workerProcesses()
                + (env.workerProcesses() == 1 ? " load process" : " load processes"));
        lines.put("Command", env.command());
        if (!env.options().isEmpty()) {
            StringJoiner options = new StringJoiner(" · ");
            new TreeMap<>(env.options()).forEach((k, v) -> options.add(k + "=" + v));
            lines.put("Options", options.toString());
        }
        return lines;
    }
}
