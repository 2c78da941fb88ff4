package io.fanwire.server.http;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

import io.fanwire.common.protocol.Envelope;
import io.fanwire.common.protocol.ServerMessage.PresenceUser;
import io.fanwire.common.protocol.StreamPosition;
import io.fanwire.server.broker.HistoryPage;

/**
 * What the server API ({@code /api/*}) asks of the server: the embedding API of
 * {@link io.fanwire.server.FanwireServer}, seen from HTTP. Every method is thread-safe and none blocks.
 */
public interface ServerApi {

    /** Publishes {@code message} to {@code topic}; completes with the stamp once the broker accepted it. */
    CompletionStage<StreamPosition> publish(String topic, Envelope message);

    /** Publications of {@code topic} after {@code since} ({@code null}: just the position), at most {@code limit}. */
    CompletionStage<HistoryPage> history(String topic, StreamPosition since, int limit);

    /** Who is present in {@code topic} in the cluster (this node, with the in-memory broker), by user id. */
    CompletionStage<Map<String, PresenceUser>> presence(String topic);

    /** Closes a connection; whether it was open. {@code code} is valid in a close frame. */
    boolean disconnect(UUID connectionId, int code, String reason);

    /** Closes every connection of {@code userId}; how many there were. {@code code} is valid in a close frame. */
    int disconnectUser(String userId, int code, String reason);

    /** The body of {@code /api/info}. */
    Map<String, Object> info();

    /**
     * Starts a graceful drain that may take up to {@code timeout} ({@code null}: the configured one), or joins the
     * one under way; returns at once.
     *
     * @return the connections open when it was asked
     */
    default int drain(Duration timeout) {
        throw new UnsupportedOperationException("drain: no server behind this API");
    }

    /**
     * A server API that can only report {@code info}: for pipelines built without a server behind them (the
     * handler tests, the fan-out benchmark), where no request ever reaches the other routes.
     */
    static ServerApi infoOnly(java.util.function.Supplier<Map<String, Object>> info) {
        return new ServerApi() {
            @Override
            public CompletionStage<StreamPosition> publish(String topic, Envelope message) {
                throw new UnsupportedOperationException("publish: no server behind this API");
            }

            @Override
            public CompletionStage<HistoryPage> history(String topic, StreamPosition since, int limit) {
                throw new UnsupportedOperationException("history: no server behind this API");
            }

            @Override
            public CompletionStage<Map<String, PresenceUser>> presence(String topic) {
                throw new UnsupportedOperationException("presence: no server behind this API");
            }

            @Override
            public boolean disconnect(UUID connectionId, int code, String reason) {
                throw new UnsupportedOperationException("disconnect: no server behind this API");
            }

            @Override
            public int disconnectUser(String userId, int code, String reason) {
                throw new UnsupportedOperationException("disconnectUser: no server behind this API");
            }

            @Override
            public Map<String, Object> info() {
                return info.get();
            }
        };
    }
}
