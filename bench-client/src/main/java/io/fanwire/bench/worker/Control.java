package io.fanwire.bench.worker;

import java.io.IOException;
import java.io.Writer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The control channel's messages: one JSON object per line. The coordinator writes commands
 * {@code {"op":…,"seq":n,…}} to a worker's stdin; the worker writes events to its stdout:
 * {@code {"event":"hello","pid":…}} once, {@code {"event":"sample",…}} once a second, and for each command
 * {@code {"event":"done","seq":n,"reply":{…}}} or {@code {"event":"failed","seq":n,"message":…}}.
 */
final class Control {

    static final ObjectMapper JSON = new ObjectMapper();

    static final String OP = "op";
    static final String SEQ = "seq";
    static final String EVENT = "event";
    static final String HELLO = "hello";
    static final String SAMPLE = "sample";
    static final String DONE = "done";
    static final String FAILED = "failed";
    static final String REPLY = "reply";
    static final String MESSAGE = "message";
    /** The first command: the task's configuration. */
    static final String CONFIGURE = "configure";
    /** The last command: close everything and exit. */
    static final String EXIT = "exit";

    private Control() {
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static JsonNode parse(String line) throws JsonProcessingException {
        return JSON.readTree(line);
    }

    /** Writes {@code message} as one line and flushes; callers serialize writes on {@code out}. */
    static void write(Writer out, JsonNode message) throws IOException {
        out.write(JSON.writeValueAsString(message));
        out.write('\n');
        out.flush();
    }
}
