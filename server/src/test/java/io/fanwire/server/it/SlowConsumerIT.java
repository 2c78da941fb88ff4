package io.fanwire.server.it;

import static io.fanwire.server.testing.PubSubMessages.offsets;
import static io.fanwire.server.testing.PubSubMessages.padded;
import static io.fanwire.server.testing.PubSubMessages.publications;
import static io.fanwire.server.testing.PubSubMessages.range;
import static io.fanwire.server.testing.PubSubMessages.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fanwire.common.protocol.CloseCodes;
import io.fanwire.server.FanwireServer;
import io.fanwire.server.ServerConfig.PubSubConfig;
import io.fanwire.server.ServerConfig.SlowConsumerPolicy;
import io.fanwire.server.testing.Await;
import io.fanwire.server.testing.TestServers;
import io.fanwire.server.testing.WsFleet;

/**
 * One subscriber stops reading while healthy ones go on: by policy it loses publications (counted, visible as
 * gaps) or is disconnected, and the healthy ones receive everything in order either way.
 */
class SlowConsumerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String TOPIC = "firehose";
    private static final int HEALTHY = 3;
    /** About 4 KiB per publication, so that the 64 KiB high-water mark is passed after a few dozen. */
    private static final int PAD = 4000;
    /** Publications in flight to a healthy subscriber at most: well below the high-water mark. */
    private static final int BATCH = 4;
    /** The most publications a test sends before the stalled subscriber must have hit the policy (~16 MiB). */
    private static final int MAX_PUBLICATIONS = 4000;

    private FanwireServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A subscriber of {@link #TOPIC} with its baseline offset. */
    private record Subscriber(WsFleet.Client client, long baseline) {
    }

    private static Subscriber subscriber(WsFleet fleet, String user, int receiveBufferBytes) {
        WsFleet.Client client = fleet.connect(TestServers.token(user), receiveBufferBytes);
        client.nextOfType("server_ready");
        client.sendText(subscribe(TOPIC));
        JsonNode reply = client.nextOfType("subscription_update").path("p");
        assertThat(reply.path("success_topics").toString()).isEqualTo("[\"" + TOPIC + "\"]");
        return new Subscriber(client, reply.path("recovery").path(TOPIC).path("offset").asLong());
    }

    /**
     * Publishes in small batches, each read by every healthy subscriber before the next, until {@code stat}
     * moves (and {@code after} more); returns how many were published.
     */
    private int publishUntil(LongSupplier stat, List<Subscriber> healthy, int after) {
        int published = 0;
        int extra = -1;
        while (extra < after) {
            assertThat(published).as("publications before the slow-consumer policy acted").isLessThan(MAX_PUBLICATIONS);
            for (int i = 0; i < BATCH; i++) {
                server.publish(TOPIC, padded(++published, PAD));
            }
            int expected = published;
            Await.until(TIMEOUT, () -> healthy.stream().allMatch(s -> s.client().received() >= expected + 2),
                    () -> "healthy subscribers read " + expected + " publications");
            if (extra >= 0) {
                extra += BATCH;
            } else if (stat.getAsLong() > 0) {
                extra = 0;
            }
        }
        return published;
    }

    private static void assertReceivedEverythingInOrder(Subscriber s, int published) {
        List<JsonNode> got = publications(s.client().takeAll(), TOPIC);
        assertThat(offsets(got)).isEqualTo(range(s.baseline() + 1, s.baseline() + published));
        for (int n = 1; n <= published; n++) {
            assertThat(got.get(n - 1).path("p").path("n").asInt()).isEqualTo(n);
        }
    }

    @Test
    void dropPolicySkipsTheStalledSubscriberCountsEveryDropAndKeepsItConnected() {
        server = TestServers.start(c -> c.pubsub(PubSubConfig.DEFAULT.withSlowConsumerPolicy(SlowConsumerPolicy.DROP)));
        try (WsFleet fleet = new WsFleet(server.port())) {
            List<Subscriber> healthy = new ArrayList<>();
            for (int i = 0; i < HEALTHY; i++) {
                healthy.add(subscriber(fleet, "healthy-" + i, 0));
            }
            Subscriber slow = subscriber(fleet, "stalled", 4096);
            slow.client().stopReading();

            int published = publishUntil(server.stats().slowConsumerDrops::sum, healthy, 20);

            long drops = server.stats().slowConsumerDrops.sum();
            assertThat(drops).isPositive().isLessThan(published);
            // published × subscribers = delivered + counted drops; the healthy ones got all of theirs (below).
            Await.count("deliveries + drops", TIMEOUT, () -> server.stats().deliveries.sum() + drops,
                    (long) published * (HEALTHY + 1));
            assertThat(server.stats().slowConsumerDisconnects.sum()).isZero();
            assertThat(server.connectionCount()).isEqualTo(HEALTHY + 1);
            assertThat(slow.client().isClosed()).isFalse();

            // Once it reads again, the stalled subscriber gets exactly what was not dropped, in order, and the
            // next publication shows it the gap.
            slow.client().resumeReading();
            long kept = published - drops;
            Await.until(TIMEOUT, () -> slow.client().received() >= kept + 2,
                    () -> "the stalled subscriber caught up to " + kept + " publications; got "
                            + (slow.client().received() - 2));
            server.publish(TOPIC, padded(++published, PAD));
            int all = published;
            Await.until(TIMEOUT, () -> slow.client().received() >= kept + 3
                            && healthy.stream().allMatch(s -> s.client().received() >= all + 2),
                    () -> "everybody received the publication after the stall");
            List<Long> seen = offsets(publications(slow.client().takeAll(), TOPIC));
            assertThat(seen).hasSize((int) kept + 1).isSorted().doesNotHaveDuplicates();
            assertThat(seen.get(0)).isEqualTo(slow.baseline() + 1);
            assertThat(seen.get(seen.size() - 1)).isEqualTo(slow.baseline() + published);
            assertThat(seen).as("the drops show as a gap").isNotEqualTo(range(slow.baseline() + 1, slow.baseline() + kept + 1));
            assertThat(server.stats().slowConsumerDrops.sum()).isEqualTo(drops);
            Await.count("deliveries + drops", TIMEOUT, () -> server.stats().deliveries.sum() + drops,
                    (long) published * (HEALTHY + 1));
            for (Subscriber s : healthy) {
                assertReceivedEverythingInOrder(s, published);
            }
            assertThat(slow.client().isClosed()).isFalse();
            assertThat(server.connectionCount()).isEqualTo(HEALTHY + 1);
        }
    }

    @Test
    void disconnectPolicyClosesTheStalledSubscriberAndNobodyElse() {
        server = TestServers.start(c -> c.pubsub(
                PubSubConfig.DEFAULT.withSlowConsumerPolicy(SlowConsumerPolicy.DISCONNECT)));
        try (WsFleet fleet = new WsFleet(server.port())) {
            List<Subscriber> healthy = new ArrayList<>();
            for (int i = 0; i < HEALTHY; i++) {
                healthy.add(subscriber(fleet, "healthy-" + i, 0));
            }
            Subscriber slow = subscriber(fleet, "stalled", 4096);
            slow.client().stopReading();

            int published = publishUntil(server.stats().slowConsumerDisconnects::sum, healthy, 20);

            assertThat(server.stats().slowConsumerDisconnects.sum()).isEqualTo(1);
            assertThat(server.stats().slowConsumerDrops.sum()).isZero();
            for (Subscriber s : healthy) {
                assertReceivedEverythingInOrder(s, published);
            }
            // The stalled connection must go even though it never reads its close frame.
            String tryAgainLater = CloseCodes.name(CloseCodes.TRY_AGAIN_LATER);
            Await.until(TIMEOUT, () -> server.connectionCount() == HEALTHY
                            && server.stats().disconnects.get(tryAgainLater) == 1,
                    () -> "connections " + server.connectionCount() + ", disconnects "
                            + server.stats().disconnects.snapshot());
            assertThat(server.stats().disconnects.total()).isEqualTo(1);
            assertThat(server.stats().subscriptionsActive.get()).isEqualTo(HEALTHY);

            // What it had been sent before is a gap-free prefix; then the connection ends.
            slow.client().resumeReading();
            int code = slow.client().awaitClosed(TIMEOUT);
            assertThat(code).isIn(CloseCodes.TRY_AGAIN_LATER, 1006);
            List<Long> seen = offsets(publications(slow.client().takeAll(), TOPIC));
            assertThat(seen).isEqualTo(range(slow.baseline() + 1, slow.baseline() + seen.size()));
            long deliveredToSlow = server.stats().deliveries.sum() - (long) published * HEALTHY;
            assertThat(deliveredToSlow).isBetween((long) seen.size(), (long) published - 1);
            for (Subscriber s : healthy) {
                assertThat(s.client().isClosed()).isFalse();
            }
        }
    }
}
