package io.fanwire.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fanwire.common.codec.DecodeLimits;
import io.fanwire.common.codec.FrameCodec;
import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Many lightweight WebSocket clients on plain non-blocking sockets, all read by one selector thread: hundreds
 * of subscribers without a thread or an HTTP client each. The upgrade is written and read by hand (blocking,
 * with a timeout); after it, the reader thread parses the server's frames, answers pings and queues every
 * text or binary message of each client. A client can stop reading, so that its socket buffers fill up like
 * those of a stalled consumer, and resume.
 */
public final class WsFleet implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FrameCodec CODEC = new FrameCodec(DecodeLimits.DEFAULT);
    private static final Duration IO_TIMEOUT = Duration.ofSeconds(5);

    /** A message from the server: a text frame's UTF-8 text, or a binary frame's bytes as ISO-8859-1. */
    public record Message(boolean text, String data) {
        /**
         * The message as JSON: a text message parsed, a binary one (msgpack or binary JSON) decoded into the
         * same shape ({@code tp}, {@code e}, {@code o}, {@code c}, {@code t}, {@code p}, {@code cid}).
         */
        public JsonNode json() {
            if (text) {
                try {
                    return JSON.readTree(data);
                } catch (IOException e) {
                    throw new AssertionError("not JSON: " + data, e);
                }
            }
            ByteBuf content = Unpooled.wrappedBuffer(data.getBytes(StandardCharsets.ISO_8859_1));
            try {
                Envelope e = CODEC.decode(content, false);
                ObjectNode out = JSON.createObjectNode();
                if (e.stamped()) {
                    out.put("tp", e.topic()).put("e", e.epoch()).put("o", e.offset());
                }
                out.put("c", e.category()).put("t", e.type()).set("p", e.payload());
                if (e.correlationId() != null) {
                    out.put("cid", e.correlationId());
                }
                return out;
            } catch (ProtocolException ex) {
                throw new AssertionError("not an envelope: " + ex.getMessage(), ex);
            } finally {
                content.release();
            }
        }
    }

    private final int port;
    private final Selector selector;
    private final Thread reader;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final List<Client> clients = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    /** A fleet for the server on {@code port} of 127.0.0.1, with its reader thread started. */
    public WsFleet(int port) {
        this.port = port;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.reader = new Thread(this::readLoop, "ws-fleet-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** A client of {@code /ws} with {@code token} as a Bearer header. */
    public Client connect(String token) {
        return connect(token, 0);
    }

    /**
     * A client of {@code /ws} with {@code token} as a Bearer header and, when {@code receiveBufferBytes} is
     * positive, that receive buffer (set before connecting, so the advertised TCP window is small too).
     */
    public Client connect(String token, int receiveBufferBytes) {
        return connect("/ws", token, receiveBufferBytes);
    }

    /** Like {@link #connect(String, int)} for {@code pathAndQuery}, such as {@code /ws?format=msgpack}. */
    public Client connect(String pathAndQuery, String token, int receiveBufferBytes) {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            if (receiveBufferBytes > 0) {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBufferBytes);
            }
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.socket().connect(new InetSocketAddress("127.0.0.1", port), (int) IO_TIMEOUT.toMillis());
            channel.socket().setSoTimeout((int) IO_TIMEOUT.toMillis());
            String key = Base64.getEncoder().encodeToString(new byte[16]);
            String request = "GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                    + "Authorization: Bearer " + token + "\r\n\r\n";
            channel.socket().getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            String head = readHead(channel.socket().getInputStream());
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new AssertionError("upgrade refused: " + head);
            }
            channel.configureBlocking(false);
            Client client = new Client(channel);
            clients.add(client);
            SocketChannel registered = channel;
            onReader(() -> {
                try {
                    client.key = registered.register(selector, SelectionKey.OP_READ, client);
                } catch (IOException e) {
                    client.onEnd();
                }
            });
            return client;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | AssertionError e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** Reads the HTTP answer's head byte by byte, so that nothing after it is consumed. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (head.size() < 16 * 1024) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection closed during the upgrade: " + head);
            }
            head.write(b);
            int n = head.size();
            byte[] bytes = head.toByteArray();
            if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n') {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        throw new AssertionError("HTTP answer head larger than 16 KiB");
    }

    private void onReader(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private void readLoop() {
        while (running) {
            try {
                selector.select(100);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (Runnable task; (task = tasks.poll()) != null; ) {
                task.run();
            }
            for (SelectionKey key : selector.selectedKeys()) {
                if (key.isValid() && key.isReadable()) {
                    Client client = (Client) key.attachment();
                    try {
                        client.onReadable();
                    } catch (RuntimeException | AssertionError e) {
                        // A server that breaks the protocol fails this client, not the whole fleet.
                        client.fail(e);
                    }
                }
            }
            selector.selectedKeys().clear();
        }
    }

    /** Closes every client and stops the reader thread. */
    @Override
    public void close() {
        for (Client client : clients) {
            client.close();
        }
        running = false;
        selector.wakeup();
        try {
            reader.join(IO_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // Nothing is left registered; a failure to close the selector leaks nothing a test could see.
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // The channel is being abandoned either way.
            }
        }
    }

    /** One WebSocket client of the fleet. */
    public final class Client implements AutoCloseable {

        private final SocketChannel channel;
        /** Reader thread only. */
        private ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        /** Reader thread only: a fragmented message being assembled, and its opcode. */
        private ByteArrayOutputStream fragments;
        private int fragmentOpcode;
        /** Reader thread only: the close code the server sent (1005: a close frame without one), or -1. */
        private int closeCode = -1;
        private SelectionKey key;
        private final LinkedBlockingQueue<Message> messages = new LinkedBlockingQueue<>();
        private final AtomicInteger received = new AtomicInteger();
        private final CompletableFuture<Integer> closed = new CompletableFuture<>();

        private Client(SocketChannel channel) {
            this.channel = channel;
        }

        /** Sends a masked text frame. */
        public void sendText(String text) {
            sendFrame(1, text.getBytes(StandardCharsets.UTF_8));
        }

        /** The next message, or an AssertionError after {@code timeout}. */
        public Message next(Duration timeout) {
            try {
                Message m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (m == null) {
                    throw new AssertionError("no message within " + timeout);
                }
                return m;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        /** The next message as JSON (5 s). */
        public JsonNode nextJson() {
            return next(IO_TIMEOUT).json();
        }

        /** The next message whose {@code t} is {@code type}, skipping others, within 5 s. */
        public JsonNode nextOfType(String type) {
            long deadline = System.nanoTime() + IO_TIMEOUT.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no message of type " + type + " within " + IO_TIMEOUT);
                }
                JsonNode json = next(Duration.ofNanos(left)).json();
                if (type.equals(json.path("t").asText())) {
                    return json;
                }
            }
        }

        /** The messages received and not yet taken, taken now. */
        public List<Message> takeAll() {
            List<Message> out = new ArrayList<>();
            messages.drainTo(out);
            return out;
        }

        /** How many messages arrived so far (taken or not). */
        public int received() {
            return received.get();
        }

        /** Stops reading from the socket: the server's data piles up in the socket buffers. */
        public void stopReading() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            onReader(() -> {
                if (key != null && key.isValid()) {
                    key.interestOps(0);
                }
                done.complete(null);
            });
            await(done);
        }

        /** Reads again after {@link #stopReading()}. */
        public void resumeReading() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            onReader(() -> {
                if (key != null && key.isValid()) {
                    key.interestOps(SelectionKey.OP_READ);
                }
                done.complete(null);
            });
            await(done);
        }

        /** Whether the server closed the connection (TCP end reached). */
        public boolean isClosed() {
            return closed.isDone();
        }

        /** The server's close code (1005 when it sent none, 1006 on an abrupt end), waiting up to {@code timeout}. */
        public int awaitClosed(Duration timeout) {
            try {
                return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("connection not closed within " + timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            } catch (ExecutionException e) {
                throw new AssertionError(e.getCause());
            }
        }

        /** Closes the TCP connection without a close handshake. */
        @Override
        public void close() {
            closeQuietly(channel);
        }

        private void sendFrame(int opcode, byte[] payload) {
            ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
            frame.write(0x80 | opcode);
            if (payload.length < 126) {
                frame.write(0x80 | payload.length);
            } else if (payload.length < 65536) {
                frame.write(0x80 | 126);
                frame.write(payload.length >>> 8);
                frame.write(payload.length);
            } else {
                frame.write(0x80 | 127);
                for (int i = 7; i >= 0; i--) {
                    frame.write((int) ((long) payload.length >>> (8 * i)));
                }
            }
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            frame.writeBytes(mask);
            byte[] body = payload.clone();
            for (int i = 0; i < body.length; i++) {
                body[i] ^= mask[i & 3];
            }
            frame.writeBytes(body);
            ByteBuffer out = ByteBuffer.wrap(frame.toByteArray());
            long deadline = System.nanoTime() + IO_TIMEOUT.toNanos();
            synchronized (this) {
                try {
                    while (out.hasRemaining()) {
                        if (channel.write(out) == 0) {
                            if (System.nanoTime() > deadline) {
                                throw new AssertionError("could not send a frame within " + IO_TIMEOUT);
                            }
                            LockSupport.parkNanos(100_000);
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        /** Reader thread: reads what is there and parses every complete frame. */
        private void onReadable() {
            int n;
            try {
                n = channel.read(in);
            } catch (IOException e) {
                n = -1;
            }
            if (n < 0) {
                onEnd();
                return;
            }
            in.flip();
            while (parseFrame()) {
                // One frame per iteration.
            }
            in.compact();
        }

        /** Parses one frame from {@code in} (in read mode); false when it is not complete yet. */
        private boolean parseFrame() {
            int start = in.position();
            if (in.remaining() < 2) {
                return false;
            }
            int b0 = in.get(start) & 0xFF;
            int b1 = in.get(start + 1) & 0xFF;
            int header = 2;
            long length = b1 & 0x7F;
            if (length == 126) {
                if (in.remaining() < 4) {
                    return false;
                }
                length = in.getShort(start + 2) & 0xFFFF;
                header = 4;
            } else if (length == 127) {
                if (in.remaining() < 10) {
                    return false;
                }
                length = in.getLong(start + 2);
                header = 10;
            }
            if ((b1 & 0x80) != 0) {
                throw new AssertionError("server frames must not be masked");
            }
            if (header + length > in.capacity()) {
                // Grow so that the whole frame fits; the caller compacts the bigger buffer.
                ByteBuffer bigger = ByteBuffer.allocate(Math.toIntExact(header + length));
                bigger.put(in);
                bigger.flip();
                in = bigger;
                return false;
            }
            if (in.remaining() < header + length) {
                return false;
            }
            byte[] payload = new byte[(int) length];
            in.position(start + header);
            in.get(payload);
            onFrame((b0 & 0x80) != 0, b0 & 0x0F, payload);
            return true;
        }

        private void onFrame(boolean fin, int opcode, byte[] payload) {
            switch (opcode) {
                case 0 -> {
                    if (fragments == null) {
                        throw new AssertionError("continuation frame without a first frame");
                    }
                    fragments.writeBytes(payload);
                    if (fin) {
                        deliver(fragmentOpcode, fragments.toByteArray());
                        fragments = null;
                    }
                }
                case 1, 2 -> {
                    if (fin) {
                        deliver(opcode, payload);
                    } else {
                        fragments = new ByteArrayOutputStream();
                        fragments.writeBytes(payload);
                        fragmentOpcode = opcode;
                    }
                }
                case 8 -> {
                    closeCode = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                    try {
                        sendFrame(8, payload.length >= 2 ? new byte[] {payload[0], payload[1]} : new byte[0]);
                    } catch (UncheckedIOException ignored) {
                        // The server may already have closed the connection after its close frame.
                    }
                }
                case 9 -> sendFrame(10, payload);
                default -> {
                    // Pongs need no answer.
                }
            }
        }

        private void deliver(int opcode, byte[] payload) {
            messages.add(new Message(opcode == 1, new String(payload,
                    opcode == 1 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1)));
            received.incrementAndGet();
        }

        private void fail(Throwable cause) {
            if (key != null) {
                key.cancel();
            }
            closeQuietly(channel);
            closed.completeExceptionally(cause);
        }

        private void onEnd() {
            if (key != null) {
                key.cancel();
            }
            closeQuietly(channel);
            closed.complete(closeCode < 0 ? 1006 : closeCode);
        }
    }

    private static void await(CompletableFuture<?> future) {
        try {
            future.get(IO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the reader thread did not answer within " + IO_TIMEOUT, e);
        }
    }
}
