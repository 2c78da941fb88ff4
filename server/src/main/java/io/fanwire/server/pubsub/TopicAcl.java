package io.fanwire.server.pubsub;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one connection may subscribe to and publish to, from its token's claims: {@code fanwire_topics}
 * (or WSE's {@code wse_topics}) for subscribing and {@code fanwire_publish} for publishing, each
 * {@code {"allow": [patterns], "deny": [patterns]}}. A pattern is a topic name where {@code *} matches any
 * run of characters and {@code ?} any single one. Deny wins over allow; a claim with an allow list permits only
 * what it lists; without a claim, the server's default applies.
 */
public final class TopicAcl {

    /** The subscribe claim. */
    public static final String SUBSCRIBE_CLAIM = "fanwire_topics";
    /** WSE's name for the subscribe claim. */
    public static final String WSE_SUBSCRIBE_CLAIM = "wse_topics";
    /** The publish claim. */
    public static final String PUBLISH_CLAIM = "fanwire_publish";

    private final Rules subscribe;
    private final Rules publish;

    private TopicAcl(Rules subscribe, Rules publish) {
        this.subscribe = subscribe;
        this.publish = publish;
    }

    /**
     * The ACL of a connection with {@code claims}.
     *
     * @param subscribeByDefault whether subscribing is allowed when the token has no subscribe claim
     * @param publishByDefault whether publishing is allowed when the token has no publish claim
     */
    public static TopicAcl fromClaims(Map<String, Object> claims, boolean subscribeByDefault, boolean publishByDefault) {
        Object sub = claims.containsKey(SUBSCRIBE_CLAIM) ? claims.get(SUBSCRIBE_CLAIM) : claims.get(WSE_SUBSCRIBE_CLAIM);
        return new TopicAcl(Rules.of(sub, subscribeByDefault), Rules.of(claims.get(PUBLISH_CLAIM), publishByDefault));
    }

    /** Whether the connection may subscribe to {@code topic}. */
    public boolean maySubscribe(String topic) {
        return subscribe.allows(topic);
    }

    /** Whether the connection may publish to {@code topic}. */
    public boolean mayPublish(String topic) {
        return publish.allows(topic);
    }

    /** One claim's allow and deny patterns. */
    private record Rules(List<String> allow, List<String> deny, boolean byDefault) {

        static final Rules DEFAULT_ALLOW = new Rules(null, List.of(), true);
        static final Rules DEFAULT_DENY = new Rules(null, List.of(), false);

        static Rules of(Object claim, boolean byDefault) {
            if (!(claim instanceof Map<?, ?> map)) {
                // A missing or malformed claim grants nothing beyond the default; shared, as most tokens have none.
                return claim == null && byDefault ? DEFAULT_ALLOW : DEFAULT_DENY;
            }
            List<String> allow = map.containsKey("allow") ? strings(map.get("allow")) : null;
            return new Rules(allow, strings(map.get("deny")), byDefault);
        }

        private static List<String> strings(Object value) {
            List<String> out = new ArrayList<>();
            if (value instanceof List<?> list) {
                for (Object o : list) {
                    if (o instanceof String s) {
                        out.add(s);
                    }
                }
            } else if (value instanceof String s) {
                out.add(s);
            }
            return List.copyOf(out);
        }

        boolean allows(String topic) {
            for (String pattern : deny) {
                if (matches(pattern, topic)) {
                    return false;
                }
            }
            if (allow == null) {
                return !deny.isEmpty() || byDefault;
            }
            for (String pattern : allow) {
                if (matches(pattern, topic)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Glob match of {@code text} against {@code pattern} ({@code *}, {@code ?}), iterative, no regex. */
    static boolean matches(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int mark = 0;
        while (t < text.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
