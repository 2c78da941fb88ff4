package io.fanwire.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.server.drain.InboundEvent;

/**
 * The applications the standalone server ships, so it is useful and measurable without Java code. They
 * consume inbound events in drain mode on one thread ({@code app.dispatch=drain}), or in callback mode on the
 * event loops ({@code app.dispatch=loop}):
 * <ul>
 * <li>{@code echo}: a message of type {@code echo} goes back to its sender (same payload and {@code cid});
 *     every message is counted.</li>
 * <li>{@code count}: messages are decoded (by the server), counted and discarded.</li>
 * <li>{@code none}: events are drained and dropped (pure protocol server).</li>
 * </ul>
 * Counts appear under {@code app} in {@code /api/info}.
 */
final class BuiltInApp {

    private static final Logger LOG = LoggerFactory.getLogger(BuiltInApp.class);
    private static final int BATCH = 1024;
    private static final Duration POLL = Duration.ofMillis(100);

    private final String mode;
    private final boolean echo;
    private final String dispatch;
    private volatile FanwireServer server;
    private final LongAdder messages = new LongAdder();
    private final LongAdder messageBytes = new LongAdder();
    private final LongAdder echoed = new LongAdder();
    private final LongAdder connected = new LongAdder();
    private final LongAdder disconnected = new LongAdder();
    private volatile boolean running = true;
    private Thread thread;

    BuiltInApp(String mode, String dispatch) {
        this.mode = mode;
        this.dispatch = dispatch;
        this.echo = mode.equals("echo");
    }

    /** The server this application answers through; before {@link FanwireServer#start()}. */
    void attach(FanwireServer server) {
        this.server = server;
    }

    /** Drain mode: starts consuming the server's events on a thread of its own. */
    void start() {
        thread = Thread.ofPlatform().name("fanwire-app").daemon(true).start(this::run);
    }

    /** The counters for {@code /api/info}. */
    Map<String, Object> info() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("mode", mode);
        info.put("dispatch", dispatch);
        info.put("messages", messages.sum());
        info.put("message_bytes", messageBytes.sum());
        info.put("echoed", echoed.sum());
        info.put("connected", connected.sum());
        info.put("disconnected", disconnected.sum());
        return info;
    }

    /** Stops consuming and waits briefly for the thread to finish its batch. */
    void stop() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(Duration.ofSeconds(1));
        }
    }

    private void run() {
        List<InboundEvent> batch = new ArrayList<>(BATCH);
        while (running) {
            batch.clear();
            try {
                server.drainTo(batch, BATCH, POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (InboundEvent event : batch) {
                handle(event);
            }
        }
        LOG.debug("Built-in app '{}' stopped", mode);
    }

    /** Handles one event: from the drain thread, or in callback mode on the connection's event loop. */
    void handle(InboundEvent event) {
        switch (event) {
            case InboundEvent.Connected ignored -> connected.increment();
            case InboundEvent.Disconnected ignored -> disconnected.increment();
            case InboundEvent.Message m -> {
                messages.increment();
                messageBytes.add(m.raw().length);
                if (echo && m.envelope().type().equals("echo")) {
                    Envelope in = m.envelope();
                    Envelope reply = Envelope.of("echo", in.payload()).withCorrelationId(in.correlationId());
                    if (server.send(m.connection().id(), reply)) {
                        echoed.increment();
                    }
                }
            }
        }
    }
}
