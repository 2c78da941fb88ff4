package io.fanwire.server.session;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The close reason of a 4300 close (docs/PROTOCOL.md §6.3): a small JSON object that says why and after how many
 * milliseconds the client should reconnect, {@code {"reason":"draining","retry_after_ms":2345}}. The delay is
 * jittered per connection so that the clients of a node do not all come back in the same instant.
 */
public final class RetryHint {

    /** The reason of a graceful drain. */
    public static final String DRAINING = "draining";
    /** The reason of a connection that reached its maximum lifetime. */
    public static final String MAX_LIFETIME = "max_lifetime";

    private RetryHint() {
    }

    /** {@code base} plus a uniformly random share of {@code jitter}, in milliseconds. */
    public static long retryAfterMillis(Duration base, Duration jitter) {
        long extra = jitter.toMillis();
        return base.toMillis() + (extra > 0 ? ThreadLocalRandom.current().nextLong(extra + 1) : 0);
    }

    /** The close reason for {@code why} (a constant of this class) and a retry delay. */
    public static String closeReason(String why, long retryAfterMillis) {
        return "{\"reason\":\"" + why + "\",\"retry_after_ms\":" + retryAfterMillis + "}";
    }
}
