package io.fanwire.bench.worker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The coordinator's handle on one worker: the child process, a thread that reads its events (samples are
 * kept, answers go to the coordinator's queue, and so does the end of the channel), and one that passes its stderr on to the log and keeps the last lines for the
 * message when it fails.
 */
final class WorkerProcess {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerProcess.class);
    private static final int STDERR_LINES = 12;
    /** Queued when the worker's stdout ends. */
    private static final JsonNode EOF = Control.object().put(Control.EVENT, "eof");

    final int index;
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<Event> events;
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private volatile WorkerTask.Sample sample = WorkerTask.Sample.EMPTY;
    private volatile boolean ended;

    /** An event of worker {@code from}, or the end of its control channel ({@link #EOF}). */
    record Event(WorkerProcess from, JsonNode event) {
    }

    /** Starts worker {@code index}; its events go to {@code events}. */
    WorkerProcess(int index, List<String> command, BlockingQueue<Event> events) throws IOException {
        this.index = index;
        this.events = events;
        this.process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.PIPE).redirectError(ProcessBuilder.Redirect.PIPE).start();
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon(true).name("worker-" + index + "-events").start(this::readEvents);
        Thread.ofPlatform().daemon(true).name("worker-" + index + "-stderr").start(this::readStderr);
    }

    long pid() {
        return process.pid();
    }

    WorkerTask.Sample sample() {
        return sample;
    }

    /** Sends {@code command}; a broken pipe is reported by the next {@link #await}. */
    void send(ObjectNode command) {
        try {
            synchronized (stdin) {
                Control.write(stdin, command);
            }
        } catch (IOException e) {
            LOG.debug("Worker {} did not take a command", index, e);
        }
    }

    /**
     * Interprets an event of this worker for command {@code seq} of {@code op}: its reply, or {@code null} when the
     * event is not the answer (a stale reply, an unexpected hello).
     *
     * @throws WorkerException when the worker failed the command or exited
     */
    JsonNode answer(JsonNode event, String op, long seq) {
        if (event == EOF) {
            throw exited(op);
        }
        String kind = event.path(Control.EVENT).asText();
        if (kind.equals(Control.HELLO)) {
            return op.equals(Control.HELLO) ? event : null;
        }
        if (event.path(Control.SEQ).asLong(-1) != seq) {
            return null;
        }
        if (kind.equals(Control.FAILED)) {
            throw new WorkerException(describe() + " failed '" + op + "': " + event.path(Control.MESSAGE).asText()
                    + tail());
        }
        return kind.equals(Control.DONE) ? event.path(Control.REPLY) : null;
    }

    /** The failure of a worker whose control channel ended during {@code op}. */
    WorkerException exited(String op) {
        return new WorkerException(describe() + " exited" + exitCode() + " during '" + op + "'" + tail());
    }

    /** The failure of a worker that did not answer {@code op} in time. */
    WorkerException late(String op) {
        return new WorkerException(describe() + " did not answer '" + op + "' in time" + tail());
    }

    /** Closes its stdin (the worker then exits), waits up to {@code timeoutMillis}, then kills it. */
    void stop(long timeoutMillis) {
        try {
            synchronized (stdin) {
                stdin.close();
            }
        } catch (IOException ignored) {
            // The worker is gone already; waiting below says so.
        }
        try {
            if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                LOG.warn("{} did not exit within {} ms: killing it", describe(), timeoutMillis);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    boolean alive() {
        return process.isAlive() && !ended;
    }

    /** Whether its control channel ended (it exited or closed its stdout). */
    boolean ended() {
        return ended;
    }

    private String describe() {
        return "worker " + index + " (pid " + process.pid() + ")";
    }

    private String exitCode() {
        try {
            if (process.waitFor(2, TimeUnit.SECONDS)) {
                return " with code " + process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    private String tail() {
        synchronized (stderrTail) {
            return stderrTail.isEmpty() ? "" : "; its last output: " + String.join(" | ", stderrTail);
        }
    }

    private void readEvents() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                JsonNode event;
                try {
                    event = Control.parse(line);
                } catch (IOException e) {
                    LOG.warn("worker {}: not a control message: {}", index, line);
                    continue;
                }
                if (Control.SAMPLE.equals(event.path(Control.EVENT).asText())) {
                    sample = new WorkerTask.Sample(event.path("connections").asInt(), event.path("sent").asLong(),
                            event.path("received").asLong(), event.path("errors").asLong());
                } else {
                    events.add(new Event(this, event));
                }
            }
        } catch (IOException e) {
            LOG.debug("worker {}: its stdout broke", index, e);
        } finally {
            ended = true;
            events.add(new Event(this, EOF));
        }
    }

    private void readStderr() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                LOG.warn("worker {}: {}", index, line);
                synchronized (stderrTail) {
                    stderrTail.addLast(line);
                    if (stderrTail.size() > STDERR_LINES) {
                        stderrTail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("worker {}: its stderr broke", index, e);
        }
    }
}
