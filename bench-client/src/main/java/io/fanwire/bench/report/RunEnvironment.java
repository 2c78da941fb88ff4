package io.fanwire.bench.report;

import java.util.List;
import java.util.Map;

/**
 * Where and how the client ran, so a figure can be reproduced and compared.
 *
 * @param hostname        the client machine's host name
 * @param os              operating system name, version and architecture
 * @param cores           available processors
 * @param memoryBytes     physical memory, or -1 when unknown
 * @param jdk             runtime vendor and version
 * @param jvmFlags        the client JVM's input arguments
 * @param benchVersion    version of the bench client
 * @param workerProcesses client processes that generated load (1 when no workers were spawned)
 * @param command         the command line as the user typed it (secrets masked)
 * @param options         effective options of the run, by name (secrets masked)
 */
public record RunEnvironment(String hostname, String os, int cores, long memoryBytes, String jdk,
                             List<String> jvmFlags, String benchVersion, int workerProcesses, String command,
                             Map<String, String> options) {

    public RunEnvironment {
        jvmFlags = List.copyOf(jvmFlags);
        options = Map.copyOf(options);
    }
}
