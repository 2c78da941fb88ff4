package io.fanwire.bench;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;

import io.fanwire.bench.scenario.WorkerTasks;
import io.fanwire.bench.worker.WorkerLoop;

/**
 * Entry point of a worker process, started by a coordinating {@code fanwire bench} run with the same classpath
 * and JVM flags: serves the control channel on stdin/stdout (line-delimited JSON, see
 * {@link io.fanwire.bench.worker.Workers}) until told to exit or until stdin closes. Nothing but control
 * messages may reach stdout, so {@code System.out} is pointed at stderr first.
 */
public final class WorkerMain {

    private WorkerMain() {
    }

    public static void main(String[] args) {
        PrintStream control = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
        System.setOut(System.err);
        int code = WorkerLoop.run(new FileInputStream(FileDescriptor.in), control, WorkerTasks::configure);
        control.flush();
        System.exit(code);
    }
}
