package io.fanwire.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ServerStatsTest {

    @Test
    void aLabelListenerHearsTheLabelsThereAreThenEachNewOneOnce() {
        ServerStats.Labelled family = new ServerStats.Labelled();
        family.increment("a");
        family.increment("a");
        List<String> heard = new ArrayList<>();

        family.onLabel(heard::add);
        family.increment("a");
        family.increment("b");
        family.increment("b");
        family.increment("c");

        assertThat(heard).containsExactly("a", "b", "c");
        assertThat(family.get("a")).isEqualTo(3);
        assertThat(family.get("b")).isEqualTo(2);
        assertThat(family.total()).isEqualTo(6);
    }

    @Test
    void durationsGoNowhereUntilBoundThenToTheSink() {
        ServerStats stats = new ServerStats();
        stats.handshakes.recordNanos(5);
        List<Long> recorded = new ArrayList<>();

        stats.handshakes.bind(recorded::add);
        stats.handshakes.recordNanos(7);

        assertThat(recorded).containsExactly(7L);
        assertThatThrownBy(() -> stats.handshakes.bind(recorded::add)).isInstanceOf(IllegalStateException.class);
    }
}
