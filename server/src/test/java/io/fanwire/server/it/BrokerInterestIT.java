package io.fanwire.server.it;

import static io.fanwire.server.testing.PubSubMessages.numbered;
import static io.fanwire.server.testing.PubSubMessages.subscribe;
import static io.fanwire.server.testing.PubSubMessages.unsubscribe;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fanwire.server.FanwireServer;
import io.fanwire.server.broker.InMemoryBroker;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.GatedBroker;
import io.fanwire.server.testing.TestServers;
import io.fanwire.server.testing.WsFleet;

/**
 * What the node tells its broker about its subscribers: a topic's first subscriber declares interest, its last
 * one withdraws it, and the last word matches whether the topic has subscribers however the first and last
 * subscriptions on different event loops interleave (a shared broker stops sending a topic the node says it
 * does not want).
 */
class BrokerInterestIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String TOPIC = "churn";

    private GatedBroker broker;
    private FanwireServer server;
    private WsFleet fleet;

    @BeforeEach
    void start() {
        broker = new GatedBroker(InMemoryBroker.Config.DEFAULT);
        server = FanwireServer.builder().config(TestServers.config().ioThreads(4).build()).broker(broker).build().start();
        fleet = new WsFleet(server.port());
    }

    @AfterEach
    void stop() {
        fleet.close();
        server.close();
    }

    @Test
    void interestFollowsTheFirstAndLastSubscriber() {
        WsFleet.Client a = fleet.connect(TestServers.token("a"));
        WsFleet.Client b = fleet.connect(TestServers.token("b"));
        a.sendText(subscribe(TOPIC));
        a.nextOfType("subscription_update");
        assertThat(broker.interested(TOPIC)).isTrue();
        b.sendText(subscribe(TOPIC));
        b.nextOfType("subscription_update");
        a.sendText(unsubscribe(TOPIC));
        a.nextOfType("subscription_update");
        assertThat(broker.interested(TOPIC)).isTrue();
        b.close();
        Await.until("interest withdrawn once the last subscriber's connection is gone", TIMEOUT,
                () -> !broker.interested(TOPIC));
        assertThat(server.stats().subscriptionsActive.get()).isZero();
    }

    @Test
    void aSlowWithdrawalOnOneLoopDoesNotCancelANewSubscriptionOnAnother() {
        // Consecutive connections land on different event loops (round-robin).
        WsFleet.Client leaving = fleet.connect(TestServers.token("leaving"));
        leaving.nextOfType("server_ready");
        WsFleet.Client arriving = fleet.connect(TestServers.token("arriving"));
        arriving.nextOfType("server_ready");
        leaving.sendText(subscribe(TOPIC));
        leaving.nextOfType("subscription_update");

        broker.holdWithdrawals();
        try {
            leaving.sendText(unsubscribe(TOPIC));
            Await.until("the last subscriber's withdrawal is on its way", TIMEOUT, () -> broker.withdrawalsHeld() == 1);
            arriving.sendText(subscribe(TOPIC));
            Await.until("the new subscriber is registered", TIMEOUT,
                    () -> server.stats().subscriptionsActive.get() == 1);
        } finally {
            broker.releaseWithdrawals();
        }
        arriving.nextOfType("subscription_update");
        leaving.nextOfType("subscription_update");
        Await.until("no withdrawal pending", TIMEOUT, () -> broker.withdrawalsHeld() == 0);
        assertThat(broker.interested(TOPIC)).as("the topic has a subscriber").isTrue();

        // And it still gets what is published.
        server.publish(TOPIC, numbered("after", 1));
        assertThat(arriving.nextOfType("after").path("tp").asText()).isEqualTo(TOPIC);
    }
}
