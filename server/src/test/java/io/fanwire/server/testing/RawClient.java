package io.fanwire.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A client on a plain socket that writes exactly the bytes a test wants: HTTP requests with any headers,
 * and WebSocket frames with any bits. Reads HTTP answers and server frames. Every read times out after 5 s.
 */
public final class RawClient implements AutoCloseable {

    /** An HTTP answer. Header names are lower case. */
    public record HttpAnswer(int status, Map<String, String> headers, String body) {
    }

    /** A WebSocket frame from the server. */
    public record Frame(boolean fin, int opcode, byte[] payload) {
        /** The payload as UTF-8 text. */
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame, or -1. */
        public int closeCode() {
            return opcode == 8 && payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }
    }

    private final Socket socket;
    private final WireReader reader;
    private final OutputStream out;

    public RawClient(int port) {
        this(port, null);
    }

    /**
     * A client of 127.0.0.1:{@code port} from {@code localAddress} ({@code null}: any), such as {@code 127.0.0.2}:
     * every 127.0.0.0/8 address is on the loopback interface, so a test can be a second client host.
     */
    public RawClient(int port, String localAddress) {
        try {
            socket = new Socket();
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(localAddress, 0));
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(5000);
            socket.setTcpNoDelay(true);
            reader = new WireReader(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A WebSocket upgrade request for {@code path} with extra header lines (each {@code Name: value}). */
    public static String upgradeRequest(String path, String... headerLines) {
        StringBuilder req = new StringBuilder()
                .append("GET ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(new byte[16])).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        for (String line : headerLines) {
            req.append(line).append("\r\n");
        }
        return req.append("\r\n").toString();
    }

    /** Writes raw bytes. */
    public RawClient write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code request} and reads the answer's status line, headers and (Content-Length) body. */
    public HttpAnswer request(String request) {
        write(request.getBytes(StandardCharsets.ISO_8859_1));
        return readAnswer();
    }

    /** Reads one HTTP answer. */
    public HttpAnswer readAnswer() {
        return reader.readAnswer();
    }

    /** Writes one masked frame. */
    public RawClient sendFrame(boolean fin, int opcode, byte[] payload) {
        return sendFrame(fin ? 0x80 : 0, opcode, payload, true);
    }

    /** Writes a final masked text frame. */
    public RawClient sendText(String text) {
        return sendFrame(true, 1, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a frame with raw first-byte flags ({@code 0x80} FIN, {@code 0x70} RSV) and optional masking. */
    public RawClient sendFrame(int flags, int opcode, byte[] payload, boolean masked) {
        return write(frame(flags, opcode, payload, masked));
    }

    /** The bytes of a frame with raw first-byte flags ({@code 0x80} FIN, {@code 0x70} RSV) and optional masking. */
    public static byte[] frame(int flags, int opcode, byte[] payload, boolean masked) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(flags | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            frame.write(maskBit | payload.length);
        } else if (payload.length < 65536) {
            frame.write(maskBit | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(maskBit | 127);
            long len = payload.length;
            for (int i = 7; i >= 0; i--) {
                frame.write((int) (len >>> (8 * i)));
            }
        }
        byte[] body = payload.clone();
        if (masked) {
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            frame.writeBytes(mask);
            for (int i = 0; i < body.length; i++) {
                body[i] ^= mask[i & 3];
            }
        }
        frame.writeBytes(body);
        return frame.toByteArray();
    }

    /**
     * The bytes of a frame header alone, declaring {@code length} payload bytes in the 64-bit form (any value, so
     * a test can claim far more than it sends), with a zero mask when {@code masked}.
     */
    public static byte[] header64(int flags, int opcode, long length, boolean masked) {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(flags | opcode);
        header.write((masked ? 0x80 : 0) | 127);
        for (int i = 7; i >= 0; i--) {
            header.write((int) (length >>> (8 * i)));
        }
        if (masked) {
            header.writeBytes(new byte[4]);
        }
        return header.toByteArray();
    }

    /** Reads one frame from the server. */
    public Frame readFrame() {
        return reader.readFrame();
    }

    /** Reads frames until a close frame and returns it (skipping others). */
    public Frame readUntilClose() {
        for (int i = 0; i < 10_000; i++) {
            Frame f = readFrame();
            if (f.opcode() == 8) {
                return f;
            }
        }
        throw new AssertionError("no close frame within 10,000 frames");
    }

    /** Whether bytes from the server are waiting to be read. */
    public boolean hasInput() {
        try {
            return reader.stream().available() > 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** Whether the server closed the TCP connection (reads EOF within the socket timeout). */
    public boolean closedByServer() {
        try {
            InputStream raw = reader.stream();
            while (true) {
                int b = raw.read();
                if (b < 0) {
                    return true;
                }
            }
        } catch (IOException e) {
            return e instanceof java.net.SocketException;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a test socket twice or after a reset is harmless.
        }
    }
}
