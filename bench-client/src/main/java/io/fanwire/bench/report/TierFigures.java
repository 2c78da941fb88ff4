package io.fanwire.bench.report;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Figures derived from a {@link TierResult} that every writer, threshold and baseline comparison must compute
 * the same way: loss, the tier's headline latency and headline rate.
 */
public final class TierFigures {

    /**
     * Latencies in the order a tier's headline latency is chosen from. A closed-loop tier has only the
     * uncorrected round trip, which still says more about the tier than its handshakes.
     */
    public static final List<String> PRIMARY_LATENCIES = List.of(Metric.RTT, Metric.DELIVERY, Metric.HTTP_LATENCY,
            Metric.RTT_UNCORRECTED, Metric.DELIVERY_UNCORRECTED, Metric.HANDSHAKE);

    /**
     * Rates in the order a tier's headline throughput is chosen from: deliveries (fan-out's point), then what the
     * server counted, then the client's figures.
     */
    public static final List<String> PRIMARY_RATES = List.of(Metric.DELIVERIES_PER_S, Metric.SERVER_RECEIVED_PER_S,
            Metric.REQUESTS_PER_S, Metric.RECEIVED_PER_S, Metric.SENT_PER_S, Metric.CONNECTS_PER_S);

    /** The suffix of a latency measured from the actual rather than the intended send time. */
    public static final String UNCORRECTED_SUFFIX = "_uncorrected";

    private TierFigures() {
    }

    /**
     * Messages the tier expected to receive: {@code received - duplicates + lost} when the tier counts what it
     * received, otherwise {@code sent}; empty when it counts neither. Each message that should have arrived is
     * either received (once, duplicates aside) or lost, so this is the denominator of {@link #lossPercent}.
     */
    public static Optional<Long> expected(TierResult tier) {
        if (tier.counters().containsKey(Metric.RECEIVED)) {
            return Optional.of(tier.counter(Metric.RECEIVED) - tier.counter(Metric.DUPLICATES)
                    + tier.counter(Metric.LOST));
        }
        if (tier.counters().containsKey(Metric.SENT)) {
            return Optional.of(tier.counter(Metric.SENT));
        }
        return Optional.empty();
    }

    /**
     * {@code lost / expected} as a percentage; empty when the tier does not count {@code lost} or expected
     * nothing that it could have lost.
     */
    public static OptionalDouble lossPercent(TierResult tier) {
        if (!tier.counters().containsKey(Metric.LOST)) {
            return OptionalDouble.empty();
        }
        long lost = tier.counter(Metric.LOST);
        long expected = expected(tier).orElse(lost);
        if (expected <= 0) {
            return lost == 0 ? OptionalDouble.of(0) : OptionalDouble.empty();
        }
        return OptionalDouble.of(100.0 * lost / expected);
    }

    /** The headline latency's name: the first of {@link #PRIMARY_LATENCIES} present, else the first recorded. */
    public static Optional<String> primaryLatency(TierResult tier) {
        for (String name : PRIMARY_LATENCIES) {
            if (tier.latencies().containsKey(name)) {
                return Optional.of(name);
            }
        }
        return tier.latencies().keySet().stream().filter(name -> !name.endsWith(UNCORRECTED_SUFFIX)).findFirst()
                .or(() -> tier.latencies().keySet().stream().findFirst());
    }

    /** The headline rate's name: the first of {@link #PRIMARY_RATES} present, else the first recorded. */
    public static Optional<String> primaryRate(TierResult tier) {
        for (String name : PRIMARY_RATES) {
            if (tier.rates().containsKey(name)) {
                return Optional.of(name);
            }
        }
        return tier.rates().keySet().stream().findFirst();
    }
}
