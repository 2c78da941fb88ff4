package io.fanwire.common.protocol;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Time-ordered UUIDs (RFC 9562 version 7) for connection and message ids: sortable by creation time,
 * unique without coordination between nodes.
 */
public final class Uuid7 {

    private Uuid7() {
    }

    /** A new version 7 UUID for the current wall-clock millisecond. */
    public static UUID next() {
        return of(System.currentTimeMillis(), ThreadLocalRandom.current());
    }

    static UUID of(long epochMillis, ThreadLocalRandom random) {
        long randA = random.nextLong() & 0xFFFL;
        long msb = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | randA;
        long lsb = random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}
