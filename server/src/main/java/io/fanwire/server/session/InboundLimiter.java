package io.fanwire.server.session;

import java.util.concurrent.TimeUnit;

import io.fanwire.server.ServerConfig.RateLimitConfig;

/**
 * The abuse limits of one connection (docs/PROTOCOL.md §6.2): a token bucket for messages, one for control frames,
 * and the count of violations that ends in 1008. Plain fields read and written on the connection's event loop only,
 * with the loop's ticker as the clock; nothing is allocated per message.
 *
 * <p>Buckets refill continuously: each call first adds {@code elapsed × refill} tokens, capped at the capacity,
 * then takes one if there is one. Violations are counted in a window that opens at the first violation and
 * lasts {@code violationWindow}; a later violation after it opens a new one.
 */
final class InboundLimiter {

    /** What {@link #tryMessage} decided. */
    enum Verdict {
        /** Within budget. */
        ACCEPT,
        /** Within budget, and the budget is 80 % used: warn the client (at most once per warning interval). */
        ACCEPT_AND_WARN,
        /** Over budget: answer {@code RATE_LIMITED} and drop the message. */
        REJECT,
        /** Over budget too often: close with 1008. */
        CLOSE
    }

    private static final double NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);
    /** A warning goes out once no more than this share of the bucket is left, i.e. at 80 % consumption. */
    private static final double WARNING_REMAINING_SHARE = 0.2;

    /** Shared by every connection; what derives from it is computed when needed, not copied per connection. */
    private final RateLimitConfig config;

    private double messageTokens;
    private long messageRefilledNanos;
    private double controlTokens;
    private long controlRefilledNanos;
    private int violations;
    private long violationWindowStartNanos;
    private boolean warned;
    private long lastWarningNanos;
    /** Messages accepted since {@link #rateWindowStartNanos}, and the rate of the window before, for warnings. */
    private int rateWindowCount;
    private long rateWindowStartNanos;
    private double previousRate;

    InboundLimiter(RateLimitConfig config, long nowNanos) {
        this.config = config;
        this.messageTokens = config.messageCapacity();
        this.controlTokens = config.controlCapacity();
        this.messageRefilledNanos = nowNanos;
        this.controlRefilledNanos = nowNanos;
        this.rateWindowStartNanos = nowNanos;
    }

    /** Takes a message token at {@code now}, or counts a violation. */
    Verdict tryMessage(long now) {
        if (!config.limitsMessages()) {
            return Verdict.ACCEPT;
        }
        messageTokens = Math.min(config.messageCapacity(), messageTokens
                + (now - messageRefilledNanos) * (config.messageRefillPerSecond() / NANOS_PER_SECOND));
        messageRefilledNanos = now;
        if (messageTokens < 1) {
            return violation(now) ? Verdict.CLOSE : Verdict.REJECT;
        }
        messageTokens -= 1;
        countRate(now);
        if (messageTokens > config.messageCapacity() * WARNING_REMAINING_SHARE) {
            // Back above the line: the next time it is crossed deserves a warning again.
            warned = false;
            return Verdict.ACCEPT;
        }
        if (warned && now - lastWarningNanos < config.warningInterval().toNanos()) {
            return Verdict.ACCEPT;
        }
        warned = true;
        lastWarningNanos = now;
        return Verdict.ACCEPT_AND_WARN;
    }

    /**
     * Takes a control-frame token at {@code now}. False when the frame is over budget: a ping is then not answered.
     * Check {@link #overViolationLimit()} after a false.
     */
    boolean tryControlFrame(long now) {
        if (!config.limitsControlFrames()) {
            return true;
        }
        controlTokens = Math.min(config.controlCapacity(), controlTokens
                + (now - controlRefilledNanos) * (config.controlRefillPerSecond() / NANOS_PER_SECOND));
        controlRefilledNanos = now;
        if (controlTokens < 1) {
            violation(now);
            return false;
        }
        controlTokens -= 1;
        return true;
    }

    /** Whether the violations in the current window are more than tolerated. */
    boolean overViolationLimit() {
        return violations > config.maxViolations();
    }

    /** Counts a violation (an over-budget frame, or a refused refresh); true when it is one too many. */
    boolean violation(long now) {
        if (violations == 0 || now - violationWindowStartNanos > config.violationWindow().toNanos()) {
            violations = 0;
            violationWindowStartNanos = now;
        }
        violations++;
        return overViolationLimit();
    }

    private void countRate(long now) {
        long elapsed = now - rateWindowStartNanos;
        if (elapsed >= NANOS_PER_SECOND) {
            previousRate = rateWindowCount * NANOS_PER_SECOND / elapsed;
            rateWindowCount = 0;
            rateWindowStartNanos = now;
        }
        rateWindowCount++;
    }

    /** Messages per second accepted recently: the last full second's rate, or the current one once it is higher. */
    double currentRate(long now) {
        long elapsed = Math.max(now - rateWindowStartNanos, TimeUnit.MILLISECONDS.toNanos(100));
        return Math.max(previousRate, rateWindowCount * NANOS_PER_SECOND / elapsed);
    }

    /** Whole messages left in the budget. */
    int remainingMessages() {
        return (int) messageTokens;
    }

    /** Seconds until one message fits in the budget again. */
    double secondsUntilNextMessage() {
        return messageTokens >= 1 ? 0 : (1 - messageTokens) / config.messageRefillPerSecond();
    }

    /** Seconds until the budget is full again, if the client sends nothing. */
    double secondsUntilFull() {
        return (config.messageCapacity() - messageTokens) / config.messageRefillPerSecond();
    }
}
