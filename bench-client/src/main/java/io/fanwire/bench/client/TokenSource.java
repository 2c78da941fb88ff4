package io.fanwire.bench.client;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import io.fanwire.common.jwt.JwtAlgorithm;
import io.fanwire.common.jwt.JwtKeys;
import io.fanwire.common.jwt.JwtMinter;

/**
 * The token each connection presents. Minted tokens have a distinct {@code sub} per connection
 * ({@code <prefix><index>}) unless the source shares one user; a fixed token is the same for all.
 */
public sealed interface TokenSource {

    /** No token at all. */
    TokenSource NONE = new None();

    /** The token of connection {@code index}, or {@code null} for none. */
    String tokenFor(int index);

    /** The user a connection authenticates as, or {@code null} when unknown. */
    String userFor(int index);

    /**
     * Makes the tokens of connections {@code from…from+count-1} ahead of time, so that connecting is not paced
     * by signing. Blocking; uses the common fork-join pool.
     */
    default void prepare(int from, int count) {
    }

    /**
     * Mints HS256 tokens from {@code secret} with {@code claims} added, one user per connection, or one shared
     * user when {@code sharedUser}.
     */
    static TokenSource minted(String secret, String userPrefix, boolean sharedUser, Duration ttl,
                              Map<String, ?> claims) {
        JwtMinter minter = new JwtMinter(JwtAlgorithm.HS256, JwtKeys.hmacKey(JwtAlgorithm.HS256, secret),
                Clock.systemUTC());
        return new Minted(minter, userPrefix, sharedUser, ttl, Map.copyOf(claims));
    }

    /** The same token for every connection. */
    static TokenSource fixed(String token) {
        return new Fixed(Objects.requireNonNull(token, "token"));
    }

    /** See {@link TokenSource#minted}. */
    final class Minted implements TokenSource {
        private final JwtMinter minter;
        private final String userPrefix;
        private final boolean sharedUser;
        private final Duration ttl;
        private final Map<String, ?> claims;
        private final java.util.concurrent.ConcurrentHashMap<Integer, String> prepared =
                new java.util.concurrent.ConcurrentHashMap<>();

        Minted(JwtMinter minter, String userPrefix, boolean sharedUser, Duration ttl, Map<String, ?> claims) {
            this.minter = minter;
            this.userPrefix = userPrefix;
            this.sharedUser = sharedUser;
            this.ttl = ttl;
            this.claims = claims;
        }

        @Override
        public String tokenFor(int index) {
            String token = prepared.remove(index);
            return token != null ? token : minter.mint(userFor(index), ttl, claims);
        }

        @Override
        public String userFor(int index) {
            return sharedUser ? userPrefix : userPrefix + index;
        }

        @Override
        public void prepare(int from, int count) {
            java.util.stream.IntStream.range(from, from + count).parallel()
                    .forEach(i -> prepared.put(i, minter.mint(userFor(i), ttl, claims)));
        }
    }

    /** See {@link TokenSource#fixed}. */
    record Fixed(String token) implements TokenSource {
        @Override
        public String tokenFor(int index) {
            return token;
        }

        @Override
        public String userFor(int index) {
            return null;
        }
    }

    /** See {@link TokenSource#NONE}. */
    record None() implements TokenSource {
        @Override
        public String tokenFor(int index) {
            return null;
        }

        @Override
        public String userFor(int index) {
            return null;
        }
    }
}
