package io.fanwire.bench.worker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The worker side of the control channel: reads commands from {@code in}, one per line, runs them on the
 * task that the first command ({@code configure}) created, and answers on {@code out}. Ends on {@code exit}
 * or when {@code in} closes (the coordinator is gone), closing the task and with it every connection.
 */
public final class WorkerLoop {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerLoop.class);

    private final Writer out;
    private final Function<JsonNode, WorkerTask> tasks;
    private volatile WorkerTask task;

    private WorkerLoop(OutputStream out, Function<JsonNode, WorkerTask> tasks) {
        this.out = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        this.tasks = tasks;
    }

    /**
     * Serves the coordinator until it says {@code exit} or goes away; {@code tasks} makes the task from the
     * {@code configure} command. Returns the process's exit code: 0, or 1 when the channel broke.
     */
    public static int run(InputStream in, OutputStream out, Function<JsonNode, WorkerTask> tasks) {
        return new WorkerLoop(out, tasks).serve(in);
    }

    private int serve(InputStream in) {
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "worker-sampler"));
        // Commands run one after another on their own thread, so that stdin stays read while one runs: an exit, or
        // the end of stdin, ends the worker at once even in the middle of a long phase.
        ExecutorService runner = Executors.newSingleThreadExecutor(r -> daemon(r, "worker-command"));
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            emit(Control.object().put(Control.EVENT, Control.HELLO).put("pid", ProcessHandle.current().pid())
                    .put("openFilesLimit", SystemLimits.openFilesLimit()));
            sampler.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode command = Control.parse(line);
                String op = command.path(Control.OP).asText();
                if (op.equals(Control.EXIT)) {
                    return 0;
                }
                runner.execute(() -> execute(op, command.path(Control.SEQ).asLong(), command));
            }
            // stdin closed: the coordinator is gone.
            return 0;
        } catch (IOException e) {
            LOG.warn("The control channel broke", e);
            return 1;
        } finally {
            sampler.shutdownNow();
            runner.shutdownNow();
            WorkerTask t = task;
            if (t != null) {
                t.close();
            }
        }
    }

    private void execute(String op, long seq, JsonNode command) {
        try {
            ObjectNode reply;
            if (op.equals(Control.CONFIGURE)) {
                if (task != null) {
                    throw new IllegalStateException("configure: already configured");
                }
                task = tasks.apply(command);
                reply = Control.object();
            } else if (task == null) {
                throw new IllegalStateException(op + ": not configured yet");
            } else {
                reply = task.handle(op, command);
            }
            emit(Control.object().put(Control.EVENT, Control.DONE).put(Control.SEQ, seq).set(Control.REPLY, reply));
        } catch (Exception e) {
            LOG.warn("Command {} failed", op, e);
            try {
                emit(Control.object().put(Control.EVENT, Control.FAILED).put(Control.SEQ, seq)
                        .put(Control.MESSAGE, op + ": " + e));
            } catch (IOException broken) {
                LOG.debug("Could not report the failure of {}", op, broken);
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void sample() {
        WorkerTask t = task;
        if (t == null) {
            return;
        }
        try {
            WorkerTask.Sample s = t.sample();
            emit(Control.object().put(Control.EVENT, Control.SAMPLE).put("connections", s.connections())
                    .put("sent", s.sent()).put("received", s.received()).put("errors", s.errors()));
        } catch (IOException | RuntimeException e) {
            LOG.debug("Could not send a sample", e);
        }
    }

    private void emit(JsonNode message) throws IOException {
        synchronized (out) {
            Control.write(out, message);
        }
    }
}
