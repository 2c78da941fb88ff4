package io.fanwire.server.session;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every open connection, by connection id and by user id. Thread-safe; lookups never block. A user's
 * connections are kept in a small copy-on-write array: users rarely hold more than a few.
 */
public final class SessionRegistry {

    private static final Session[] NONE = new Session[0];

    private final ConcurrentHashMap<UUID, Session> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Session[]> byUser = new ConcurrentHashMap<>();

    void add(Session session) {
        byId.put(session.info().id(), session);
        byUser.compute(session.info().userId(), (user, sessions) -> {
            if (sessions == null) {
                return new Session[] {session};
            }
            Session[] grown = Arrays.copyOf(sessions, sessions.length + 1);
            grown[sessions.length] = session;
            return grown;
        });
    }

    void remove(Session session) {
        if (!byId.remove(session.info().id(), session)) {
            return;
        }
        byUser.computeIfPresent(session.info().userId(), (user, sessions) -> {
            if (sessions.length == 1) {
                return sessions[0] == session ? null : sessions;
            }
            List<Session> kept = new ArrayList<>(sessions.length - 1);
            for (Session s : sessions) {
                if (s != session) {
                    kept.add(s);
                }
            }
            return kept.toArray(NONE);
        });
    }

    /** The connection with {@code id}, or {@code null}. */
    public Session get(UUID id) {
        return byId.get(id);
    }

    /** The connections of {@code userId}; empty when none. The array is a snapshot; do not modify it. */
    public Session[] ofUser(String userId) {
        Session[] sessions = byUser.get(userId);
        return sessions == null ? NONE : sessions;
    }

    /** Open connections. */
    public int size() {
        return byId.size();
    }

    /** Users with at least one open connection. */
    public int users() {
        return byUser.size();
    }

    /** A weakly consistent view of every open connection. */
    public Collection<Session> all() {
        return byId.values();
    }
}
