package io.fanwire.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.fanwire.server.ServerConfig.LimitsConfig;
import io.fanwire.server.http.ConnectionLimits.Verdict;
import io.netty.channel.embedded.EmbeddedChannel;

/** Admission by the connection caps and the upgrade rate per address, on a clock the test moves. */
class ConnectionLimitsTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private ConnectionLimits limits(int max, int perIp, int ratePerSecond) {
        return new ConnectionLimits(LimitsConfig.DEFAULT.withConnectionCaps(max, perIp, ratePerSecond), nanos::get);
    }

    /** A channel from {@code host}. */
    private static EmbeddedChannel from(String host) {
        InetSocketAddress remote = new InetSocketAddress(host, 40000);
        return new EmbeddedChannel() {
            @Override
            public SocketAddress remoteAddress() {
                return remote;
            }
        };
    }

    private void elapse(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    @Test
    void withoutLimitsEveryoneIsAdmittedAndNothingTracked() {
        ConnectionLimits limits = limits(0, 0, 0);
        for (int i = 0; i < 100; i++) {
            assertThat(limits.tryAdmit(from("10.0.0.1"))).isEqualTo(Verdict.ADMITTED);
        }
        assertThat(limits.trackedAddresses()).isZero();
        assertThat(limits.connections()).isZero();
    }

    @Test
    void theServerCapCountsOpenConnectionsAndFreesAPlaceOnClose() {
        ConnectionLimits limits = limits(2, 0, 0);
        EmbeddedChannel first = from("10.0.0.1");
        assertThat(limits.tryAdmit(first)).isEqualTo(Verdict.ADMITTED);
        assertThat(limits.tryAdmit(from("10.0.0.2"))).isEqualTo(Verdict.ADMITTED);
        assertThat(limits.tryAdmit(from("10.0.0.3"))).isEqualTo(Verdict.SERVER_FULL);

        first.close();

        assertThat(limits.connections()).isEqualTo(1);
        assertThat(limits.tryAdmit(from("10.0.0.3"))).isEqualTo(Verdict.ADMITTED);
    }

    @Test
    void connectionsPerAddressAreCappedAddressByAddress() {
        ConnectionLimits limits = limits(0, 2, 0);
        EmbeddedChannel first = from("10.0.0.1");
        assertThat(limits.tryAdmit(first)).isEqualTo(Verdict.ADMITTED);
        assertThat(limits.tryAdmit(from("10.0.0.1"))).isEqualTo(Verdict.ADMITTED);
        assertThat(limits.tryAdmit(from("10.0.0.1"))).isEqualTo(Verdict.IP_CONNECTIONS);
        assertThat(limits.tryAdmit(from("10.0.0.2"))).isEqualTo(Verdict.ADMITTED);

        first.close();

        assertThat(limits.tryAdmit(from("10.0.0.1"))).isEqualTo(Verdict.ADMITTED);
    }

    @Test
    void aRefusalByAddressGivesBackTheServerPlace() {
        ConnectionLimits limits = limits(10, 1, 0);
        assertThat(limits.tryAdmit(from("10.0.0.1"))).isEqualTo(Verdict.ADMITTED);
        assertThat(limits.tryAdmit(from("10.0.0.1"))).isEqualTo(Verdict.IP_CONNECTIONS);
        assertThat(limits.connections()).isEqualTo(1);
    }

    @Test
    void theUpgradeRateIsATokenBucketPerAddress() {
        ConnectionLimits limits = limits(0, 0, 2);
        for (int i = 0; i < 2; i++) {
            EmbeddedChannel channel = from("10.0.0.1");
            assertThat(limits.tryAdmit(channel)).as("the burst").isEqualTo(Verdict.ADMITTED);
            channel.close();
        }
        assertThat(limits.tryAdmit(from("10.0.0.1"))).as("closing does not give tokens back").isEqualTo(Verdict.IP_RATE);
        assertThat(limits.tryAdmit(from("10.0.0.2"))).as("another address").isEqualTo(Verdict.ADMITTED);

        elapse(Duration.ofMillis(500));
        assertThat(limits.tryAdmit(from("10.0.0.1"))).as("one token a half second").isEqualTo(Verdict.ADMITTED);
        assertThat(limits.tryAdmit(from("10.0.0.1"))).isEqualTo(Verdict.IP_RATE);
    }

    @Test
    void idleAddressesAreForgottenOnceTheirBucketIsFull() {
        ConnectionLimits limits = limits(0, 5, 5);
        EmbeddedChannel held = from("10.0.0.1");
        assertThat(limits.tryAdmit(held)).isEqualTo(Verdict.ADMITTED);
        EmbeddedChannel brief = from("10.0.0.2");
        assertThat(limits.tryAdmit(brief)).isEqualTo(Verdict.ADMITTED);
        brief.close();
        assertThat(limits.trackedAddresses()).isEqualTo(2);

        elapse(Duration.ofSeconds(2));
        assertThat(limits.tryAdmit(from("10.0.0.3"))).isEqualTo(Verdict.ADMITTED);

        // 10.0.0.2 is gone; 10.0.0.1 holds a connection; 10.0.0.3 was just admitted.
        assertThat(limits.trackedAddresses()).isEqualTo(2);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(nanos.get())).isEqualTo(3);
    }
}
