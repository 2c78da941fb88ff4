package io.fanwire.server.pubsub;

/**
 * The grammar of topic (and queue group) names: 1 to {@code maxLength} characters from
 * {@code A-Z a-z 0-9} and {@code _ - . : / @ = + ,}. Only ASCII is allowed, which rules out control
 * characters, whitespace, bidirectional overrides and look-alike letters from other scripts; {@code *} and
 * {@code ?} are reserved for ACL patterns, so a topic name never looks like a pattern.
 */
public final class TopicNames {

    /** The default longest topic name. */
    public static final int DEFAULT_MAX_LENGTH = 255;

    private static final boolean[] ALLOWED = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            ALLOWED[c] = true;
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            ALLOWED[c] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            ALLOWED[c] = true;
        }
        for (char c : "_-.:/@=+,".toCharArray()) {
            ALLOWED[c] = true;
        }
    }

    private TopicNames() {
    }

    /** Why {@code name} is not a valid topic name, or {@code null} when it is. */
    public static String problem(String name, int maxLength) {
        if (name == null || name.isEmpty()) {
            return "empty topic name";
        }
        if (name.length() > maxLength) {
            return "topic name longer than " + maxLength + " characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 128 || !ALLOWED[c]) {
                return c < 32 || c == 127 ? "control character in topic name"
                        : c >= 128 ? "non-ASCII character in topic name"
                        : "character '" + c + "' not allowed in topic name (allowed: A-Z a-z 0-9 _ - . : / @ = + ,)";
            }
        }
        return null;
    }
}
