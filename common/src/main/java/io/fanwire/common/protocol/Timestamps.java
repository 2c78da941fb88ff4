package io.fanwire.common.protocol;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Formats the envelope's {@code ts} (ISO-8601 UTC with milliseconds). Every outbound message carries one,
 * so the last formatted millisecond is cached per thread: a busy I/O thread formats once per millisecond.
 */
public final class Timestamps {

    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private static final ThreadLocal<Cache> CACHE = ThreadLocal.withInitial(Cache::new);

    private Timestamps() {
    }

    /** {@code epochMillis} as {@code 2026-11-23T18:31:02.123Z}. */
    public static String format(long epochMillis) {
        Cache cache = CACHE.get();
        if (cache.millis != epochMillis || cache.text == null) {
            cache.text = ISO_MILLIS.format(Instant.ofEpochMilli(epochMillis));
            cache.millis = epochMillis;
        }
        return cache.text;
    }

    /** {@code instant} as ISO-8601 UTC with milliseconds. */
    public static String format(Instant instant) {
        return format(instant.toEpochMilli());
    }

    private static final class Cache {
        long millis;
        String text;
    }
}
