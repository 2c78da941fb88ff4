package io.fanwire.bench.worker;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The coordinator's worker processes. Each is a child JVM of the same classpath and JVM flags running
 * {@code mainClass}, which serves the control channel on its stdin/stdout ({@link WorkerLoop}). Commands go
 * to every worker at once and the call returns when all have answered; a worker that fails, exits or does
 * not answer within the command's time limit fails the call with a {@link WorkerException}. Closing stops
 * them (stdin closed, then killed after a grace period) — only these processes, by their handles.
 */
public final class Workers implements AutoCloseable {

    /** How long a worker JVM may take to start and say hello. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final long STOP_MILLIS = 15_000;

    private final List<WorkerProcess> processes;
    /** Every worker's answers and ends, so that the first failure of any worker is seen at once. */
    private final BlockingQueue<WorkerProcess.Event> events = new LinkedBlockingQueue<>();
    private long seq;

    private Workers(List<WorkerProcess> processes) {
        this.processes = processes;
    }

    /**
     * Starts {@code count} workers with {@code command} and configures worker {@code w} with {@code configure(w)}.
     * Every worker is stopped again if any of them fails to start.
     */
    public static Workers start(int count, List<String> command, IntFunction<ObjectNode> configure)
            throws IOException, InterruptedException {
        List<WorkerProcess> started = new ArrayList<>();
        Workers workers = new Workers(started);
        try {
            for (int w = 0; w < count; w++) {
                started.add(new WorkerProcess(w, command, workers.events));
            }
            workers.collect(Control.HELLO, -1, System.nanoTime() + START_TIMEOUT.toNanos());
            workers.all(Control.CONFIGURE, configure, START_TIMEOUT);
            return workers;
        } catch (IOException | InterruptedException | RuntimeException e) {
            workers.close();
            throw e;
        }
    }

    /**
     * The command line of a worker JVM: this JVM's java binary, classpath and flags (less a debugger agent),
     * running {@code mainClass}.
     */
    public static List<String> javaCommand(String mainClass) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!flag.startsWith("-agentlib:jdwp") && !flag.startsWith("-Xrunjdwp")) {
                command.add(flag);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        return command;
    }

    public int size() {
        return processes.size();
    }

    /** The workers' process ids, in worker order. */
    public List<Long> pids() {
        return processes.stream().map(WorkerProcess::pid).toList();
    }

    /**
     * Sends command {@code op} with {@code fields(w)} to each worker {@code w} and returns their replies in worker
     * order, waiting at most {@code timeout} in all.
     *
     * @throws WorkerException when a worker failed, exited or did not answer in time
     */
    public List<JsonNode> all(String op, IntFunction<ObjectNode> fields, Duration timeout) throws InterruptedException {
        long s = ++seq;
        for (WorkerProcess p : processes) {
            if (p.ended()) {
                throw p.exited(op);
            }
        }
        for (WorkerProcess p : processes) {
            ObjectNode command = fields.apply(p.index);
            command.put(Control.OP, op).put(Control.SEQ, s);
            p.send(command);
        }
        return collect(op, s, System.nanoTime() + timeout.toNanos());
    }

    /** Waits for every worker's answer to command {@code s}; the first failure of any worker ends the wait. */
    private List<JsonNode> collect(String op, long s, long deadline) throws InterruptedException {
        JsonNode[] replies = new JsonNode[processes.size()];
        int missing = replies.length;
        while (missing > 0) {
            long wait = deadline - System.nanoTime();
            WorkerProcess.Event e = wait > 0 ? events.poll(wait, TimeUnit.NANOSECONDS) : null;
            if (e == null) {
                for (WorkerProcess p : processes) {
                    if (replies[p.index] == null) {
                        throw p.late(op);
                    }
                }
            }
            JsonNode reply = e.from().answer(e.event(), op, s);
            if (reply != null && replies[e.from().index] == null) {
                replies[e.from().index] = reply;
                missing--;
            }
        }
        return List.of(replies);
    }

    /** An empty command body. */
    public static ObjectNode command() {
        return Control.object();
    }

    /** The sum of the workers' latest progress samples. */
    public WorkerTask.Sample total() {
        int connections = 0;
        long sent = 0;
        long received = 0;
        long errors = 0;
        for (WorkerProcess p : processes) {
            WorkerTask.Sample s = p.sample();
            connections += s.connections();
            sent += s.sent();
            received += s.received();
            errors += s.errors();
        }
        return new WorkerTask.Sample(connections, sent, received, errors);
    }

    /** Asks every worker to exit and waits for them, killing those that do not within the grace period. */
    @Override
    public void close() {
        long s = ++seq;
        for (WorkerProcess p : processes) {
            if (p.alive()) {
                p.send(Control.object().put(Control.OP, Control.EXIT).put(Control.SEQ, s));
            }
        }
        for (WorkerProcess p : processes) {
            p.stop(STOP_MILLIS);
        }
    }
}
