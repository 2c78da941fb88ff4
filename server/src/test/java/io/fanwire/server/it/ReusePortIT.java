package io.fanwire.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fanwire.server.FanwireServer;
import io.fanwire.server.ServerConfig.ClusterConfig;
import io.fanwire.server.testing.JdkWsClient;
import io.fanwire.server.testing.TestServers;
import io.fanwire.server.transport.TransportKind;
import io.netty.channel.epoll.Epoll;

/** Several nodes on one port with {@code SO_REUSEPORT}: both accept connections; without it the port is taken. */
class ReusePortIT {

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private FanwireServer node(String id, int port, boolean reusePort, TransportKind transport) {
        FanwireServer server = TestServers.start(c -> c.nodeId(id).port(port).transport(transport)
                .cluster(new ClusterConfig(reusePort, null)));
        open.add(server);
        return server;
    }

    @Test
    void twoNodesShareOnePortAndBothGetConnections() {
        assumeTrue(Epoll.isAvailable(), "SO_REUSEPORT needs the epoll transport: " + Epoll.unavailabilityCause());
        int port = freePort();
        FanwireServer a = node("a", port, true, TransportKind.EPOLL);
        FanwireServer b = node("b", port, true, TransportKind.EPOLL);
        assertThat(b.port()).isEqualTo(a.port()).isEqualTo(port);
        for (int i = 0; i < 24; i++) {
            JdkWsClient client = JdkWsClient.connect(port, TestServers.token("u" + i));
            open.add(client);
            client.nextOfType("server_ready");
        }
        long onA = a.stats().connectionsAccepted.sum();
        long onB = b.stats().connectionsAccepted.sum();
        assertThat(onA + onB).isEqualTo(24);
        // The kernel hashes connections over the listeners; all 24 on one of two is a 1 in 8 million chance.
        assertThat(onA).isPositive();
        assertThat(onB).isPositive();
    }

    @Test
    void withoutReusePortTheSecondNodeCannotBind() {
        int port = freePort();
        node("a", port, false, TransportKind.AUTO);
        assertThatThrownBy(() -> node("b", port, false, TransportKind.AUTO))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot listen");
    }

    @Test
    void nioRefusesReusePortClearly() {
        assertThatThrownBy(() -> node("a", 0, true, TransportKind.NIO))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("reusePort: true needs the epoll");
    }
}
