package io.fanwire.server.testing;

import static io.fanwire.server.testing.PubSubMessages.numbered;
import static io.fanwire.server.testing.PubSubMessages.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import io.fanwire.server.FanwireServer;

/**
 * Healthy JDK {@code WebSocket} clients subscribed to one topic, for a fault test's third check: publish
 * numbered messages while the fault happens, then assert that every client got all of them, in order, with
 * consecutive offsets.
 */
public final class ControlGroup implements AutoCloseable {

    /** A member and the offset it subscribed at. */
    private record Member(JdkWsClient client, long baseline) {
    }

    private final FanwireServer server;
    private final String topic;
    private final List<Member> members = new ArrayList<>();
    private int published;

    private ControlGroup(FanwireServer server, String topic) {
        this.server = server;
        this.topic = topic;
    }

    /** {@code size} clients of {@code server}, each subscribed to {@code topic}. */
    public static ControlGroup connect(FanwireServer server, String topic, int size) {
        ControlGroup group = new ControlGroup(server, topic);
        try {
            for (int i = 0; i < size; i++) {
                JdkWsClient client = JdkWsClient.connect(server.port(), TestServers.token("control-" + i));
                group.members.add(new Member(client, 0));
                client.nextOfType("server_ready");
                client.sendText(subscribe(topic));
                JsonNode reply = client.nextOfType("subscription_update").path("p");
                assertThat(reply.path("success_topics").toString()).isEqualTo("[\"" + topic + "\"]");
                group.members.set(i, new Member(client, reply.path("recovery").path(topic).path("offset").asLong()));
            }
            return group;
        } catch (RuntimeException | AssertionError e) {
            group.close();
            throw e;
        }
    }

    /** Publishes {@code count} more numbered messages to the topic, each acknowledged within 5 s. */
    public void publish(int count) {
        for (int i = 0; i < count; i++) {
            server.publish(topic, numbered("tick", ++published)).toCompletableFuture()
                    .orTimeout(5, TimeUnit.SECONDS).join();
        }
    }

    /** Asserts that each member received every publication so far, in order, with consecutive offsets. */
    public void assertReceivedEverythingInOrder() {
        assertThat(published).as("publications made during the test").isPositive();
        for (Member m : members) {
            List<Long> offsets = new ArrayList<>();
            List<Integer> numbers = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (numbers.size() < published) {
                long left = deadline - System.nanoTime();
                assertThat(left).as("control client got " + numbers.size() + " of " + published).isPositive();
                JsonNode json = m.client().next(Duration.ofNanos(left)).json();
                if (topic.equals(json.path("tp").asText(null))) {
                    offsets.add(json.path("o").asLong());
                    numbers.add(json.path("p").path("n").asInt());
                }
            }
            List<Integer> expectedNumbers = new ArrayList<>();
            List<Long> expectedOffsets = new ArrayList<>();
            for (int n = 1; n <= published; n++) {
                expectedNumbers.add(n);
                expectedOffsets.add(m.baseline() + n);
            }
            assertThat(numbers).isEqualTo(expectedNumbers);
            assertThat(offsets).isEqualTo(expectedOffsets);
        }
    }

    @Override
    public void close() {
        members.forEach(m -> m.client().close());
        members.clear();
    }
}
