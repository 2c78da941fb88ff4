package io.fanwire.server.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.fanwire.server.testing.RawClient.Frame;
import io.fanwire.server.testing.RawClient.HttpAnswer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * Reads what a server writes, the way a client sees it: HTTP answers, then (after a {@code 101}) WebSocket
 * frames. Reads a socket for {@link RawClient}, or the bytes an {@link EmbeddedChannel} wrote.
 */
public final class WireReader {

    private final DataInputStream in;

    /** A reader of {@code in}. */
    public WireReader(InputStream in) {
        this.in = new DataInputStream(in);
    }

    /** A reader of {@code bytes}. */
    public WireReader(byte[] bytes) {
        this(new ByteArrayInputStream(bytes));
    }

    /**
     * A reader of every byte {@code channel} has written so far. Takes (and releases) the channel's outbound
     * buffers; anything else outbound fails the test.
     */
    public static WireReader outboundOf(EmbeddedChannel channel) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            try {
                if (!(msg instanceof ByteBuf buf)) {
                    throw new AssertionError("expected bytes on the wire, got " + msg);
                }
                byte[] chunk = new byte[buf.readableBytes()];
                buf.getBytes(buf.readerIndex(), chunk);
                bytes.writeBytes(chunk);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
        return new WireReader(bytes.toByteArray());
    }

    /** Reads one HTTP answer: status line, headers and a {@code Content-Length} body. */
    public HttpAnswer readAnswer() {
        try {
            String status = readLine();
            if (status == null) {
                throw new AssertionError("connection closed before an HTTP answer");
            }
            int code = Integer.parseInt(status.split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] body = new byte[length];
            in.readFully(body);
            return new HttpAnswer(code, headers, new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one frame a server wrote (never masked). */
    public Frame readFrame() {
        try {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7F;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            if ((b1 & 0x80) != 0) {
                throw new AssertionError("server frames must not be masked");
            }
            byte[] payload = new byte[Math.toIntExact(len)];
            in.readFully(payload);
            return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether every byte was read (in-memory input only; a socket blocks here). */
    public boolean exhausted() {
        try {
            return in.available() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The underlying stream, for reads that are none of the above. */
    DataInputStream stream() {
        return in;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
    }
}
