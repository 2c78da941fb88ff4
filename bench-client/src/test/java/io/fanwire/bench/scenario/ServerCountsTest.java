package io.fanwire.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ServerCountsTest {

    @Test
    void acrossNodesEachPublicationCountsOnceWhileDeliveriesAddUp() {
        // Three nodes; the third had no subscribers before and received only the run's publications.
        ServerCounts before = new ServerCounts(10, 100, 500, 0, 50, List.of(50L, 40L, 0L));
        ServerCounts after = new ServerCounts(10, 100, 1100, 2, 250, List.of(250L, 240L, 200L));

        ServerCounts delta = after.minus(before);

        assertThat(delta.publications()).isEqualTo(200);
        assertThat(delta.deliveries()).isEqualTo(600);
        assertThat(delta.slowDrops()).isEqualTo(2);
    }

    @Test
    void oneNodeIsPlainSubtraction() {
        ServerCounts delta = new ServerCounts(30, 300, 9, 1, 7).minus(new ServerCounts(10, 100, 4, 0, 2));

        assertThat(delta).isEqualTo(new ServerCounts(20, 200, 5, 1, 5));
    }

    @Test
    void anUnknownFieldStaysUnknown() {
        ServerCounts delta = new ServerCounts(30, 300, 9, 1, 7).minus(ServerCounts.UNKNOWN);

        assertThat(delta.messagesIn()).isEqualTo(-1);
        assertThat(delta.publications()).isEqualTo(-1);
        assertThat(delta.known()).isFalse();
    }
}
