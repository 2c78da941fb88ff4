package io.fanwire.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fanwire.common.codec.WireFormat;
import io.fanwire.common.protocol.Uuid7;
import io.fanwire.server.drain.ConnectionInfo;
import io.netty.channel.embedded.EmbeddedChannel;

/** Connections by id and by user. */
class SessionRegistryTest {

    private final SessionRegistry registry = new SessionRegistry();
    /** Sessions only need a channel to exist; the registry never touches it. */
    private final EmbeddedChannel channel = new EmbeddedChannel();

    private Session session(String user) {
        ConnectionInfo info = new ConnectionInfo(Uuid7.next(), user, Map.of(), null, Instant.now(), WireFormat.JSON);
        return new Session(info, channel, null);
    }

    @Test
    void emptyRegistryKnowsNobody() {
        assertThat(registry.size()).isZero();
        assertThat(registry.users()).isZero();
        assertThat(registry.get(Uuid7.next())).isNull();
        assertThat(registry.ofUser("alice")).isEmpty();
        assertThat(registry.all()).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void addedSessionIsFoundByIdAndUser() {
        Session alice = session("alice");

        registry.add(alice);

        assertThat(registry.get(alice.info().id())).isSameAs(alice);
        assertThat(registry.ofUser("alice")).containsExactly(alice);
        assertThat(registry.all()).containsExactly(alice);
        assertThat(registry.size()).isEqualTo(1);
        assertThat(registry.users()).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void userMayHoldSeveralSessions() {
        Session phone = session("alice");
        Session laptop = session("alice");
        Session bob = session("bob");

        registry.add(phone);
        registry.add(laptop);
        registry.add(bob);

        assertThat(registry.ofUser("alice")).containsExactly(phone, laptop);
        assertThat(registry.ofUser("bob")).containsExactly(bob);
        assertThat(registry.size()).isEqualTo(3);
        assertThat(registry.users()).isEqualTo(2);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void removingOneSessionOfAUserKeepsTheOthers() {
        Session phone = session("alice");
        Session laptop = session("alice");
        Session tablet = session("alice");
        registry.add(phone);
        registry.add(laptop);
        registry.add(tablet);

        registry.remove(laptop);

        assertThat(registry.ofUser("alice")).containsExactlyInAnyOrder(phone, tablet);
        assertThat(registry.get(laptop.info().id())).isNull();
        assertThat(registry.get(phone.info().id())).isSameAs(phone);
        assertThat(registry.size()).isEqualTo(2);
        assertThat(registry.users()).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void removingTheLastSessionOfAUserForgetsTheUser() {
        Session alice = session("alice");
        registry.add(alice);

        registry.remove(alice);

        assertThat(registry.ofUser("alice")).isEmpty();
        assertThat(registry.get(alice.info().id())).isNull();
        assertThat(registry.size()).isZero();
        assertThat(registry.users()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void removingAnUnknownSessionIsHarmless() {
        Session alice = session("alice");
        registry.add(alice);

        registry.remove(session("alice"));
        registry.remove(session("carol"));

        assertThat(registry.ofUser("alice")).containsExactly(alice);
        assertThat(registry.ofUser("carol")).isEmpty();
        assertThat(registry.size()).isEqualTo(1);
        assertThat(registry.users()).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void removingTwiceIsHarmless() {
        Session phone = session("alice");
        Session laptop = session("alice");
        registry.add(phone);
        registry.add(laptop);

        registry.remove(phone);
        registry.remove(phone);

        assertThat(registry.ofUser("alice")).containsExactly(laptop);
        assertThat(registry.size()).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void ofUserIsASnapshot() {
        Session phone = session("alice");
        registry.add(phone);
        Session[] before = registry.ofUser("alice");

        registry.add(session("alice"));
        registry.remove(phone);

        assertThat(before).containsExactly(phone);
        assertThat(channel.finish()).isFalse();
    }
}
