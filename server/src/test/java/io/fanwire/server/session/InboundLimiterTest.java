package io.fanwire.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.fanwire.server.ServerConfig.RateLimitConfig;
import io.fanwire.server.session.InboundLimiter.Verdict;

/** The token buckets and the violation window, on a clock the test moves. */
class InboundLimiterTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** Any start: the limiter must not care where the ticker stands, negative included. */
    private static final long T0 = -123_456_789L;

    @Test
    void refillsContinuouslyUpToTheCapacity() {
        InboundLimiter limiter = new InboundLimiter(RateLimitConfig.DEFAULT.withMessages(5, 2), T0);
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryMessage(T0)).isNotIn(Verdict.REJECT, Verdict.CLOSE);
        }
        assertThat(limiter.tryMessage(T0)).isEqualTo(Verdict.REJECT);
        assertThat(limiter.secondsUntilNextMessage()).isEqualTo(0.5);

        // Half a second gives one message back; an hour gives the capacity back, not more.
        assertThat(limiter.tryMessage(T0 + SECOND / 2)).isNotEqualTo(Verdict.REJECT);
        assertThat(limiter.tryMessage(T0 + SECOND / 2)).isEqualTo(Verdict.REJECT);
        long later = T0 + 3600 * SECOND;
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryMessage(later)).isNotIn(Verdict.REJECT, Verdict.CLOSE);
        }
        assertThat(limiter.tryMessage(later)).isEqualTo(Verdict.REJECT);
    }

    @Test
    void countsViolationsInAWindowThatStartsOverAfterItEnds() {
        InboundLimiter limiter = new InboundLimiter(RateLimitConfig.DEFAULT.withMessages(1, 0.001)
                .withViolations(3, Duration.ofSeconds(10)), T0);
        assertThat(limiter.tryMessage(T0)).isEqualTo(Verdict.ACCEPT_AND_WARN);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryMessage(T0 + i)).isEqualTo(Verdict.REJECT);
        }
        // Eleven seconds later a new window opens: three more are tolerated, the fourth closes.
        long later = T0 + 11 * SECOND;
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryMessage(later + i)).isEqualTo(Verdict.REJECT);
        }
        assertThat(limiter.tryMessage(later + 3)).isEqualTo(Verdict.CLOSE);
    }

    @Test
    void controlFramesHaveABudgetOfTheirOwnThatCountsTowardsTheSameLimit() {
        InboundLimiter limiter = new InboundLimiter(RateLimitConfig.DEFAULT.withMessages(1, 1).withControlFrames(2, 1)
                .withViolations(2, Duration.ofSeconds(10)), T0);
        assertThat(limiter.tryControlFrame(T0)).isTrue();
        assertThat(limiter.tryControlFrame(T0)).isTrue();
        assertThat(limiter.tryControlFrame(T0)).isFalse();
        assertThat(limiter.overViolationLimit()).isFalse();
        // The message budget is untouched by control frames.
        assertThat(limiter.tryMessage(T0)).isEqualTo(Verdict.ACCEPT_AND_WARN);
        assertThat(limiter.tryMessage(T0)).isEqualTo(Verdict.REJECT);
        assertThat(limiter.tryControlFrame(T0)).isFalse();
        assertThat(limiter.overViolationLimit()).isTrue();
    }

    @Test
    void unlimitedAcceptsEverything() {
        InboundLimiter limiter = new InboundLimiter(RateLimitConfig.UNLIMITED, T0);
        for (int i = 0; i < 100_000; i++) {
            assertThat(limiter.tryMessage(T0)).isEqualTo(Verdict.ACCEPT);
            assertThat(limiter.tryControlFrame(T0)).isTrue();
        }
    }
}
