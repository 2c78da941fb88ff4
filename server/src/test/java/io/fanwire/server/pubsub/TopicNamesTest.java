package io.fanwire.server.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The topic grammar: a strict ASCII set, so names can neither hide nor look like something else. */
class TopicNamesTest {

    private static final int MAX = TopicNames.DEFAULT_MAX_LENGTH;

    @ParameterizedTest
    @ValueSource(strings = {"a", "Z", "0", "room-1", "chat.eu.paris", "user:42", "org/team/channel", "a@b",
            "k=v", "a+b", "x,y", "under_score", "A-Z_a-z.0-9:/@=+,", "---", "..."})
    void acceptsNamesFromTheAllowedSet(String name) {
        assertThat(TopicNames.problem(name, MAX)).isNull();
    }

    @Test
    void acceptsEveryAllowedCharacterAndNoOtherAscii() {
        String allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.:/@=+,";
        for (char c = 0; c < 128; c++) {
            String problem = TopicNames.problem("t" + c, MAX);
            if (allowed.indexOf(c) >= 0) {
                assertThat(problem).as("char %d", (int) c).isNull();
            } else {
                assertThat(problem).as("char %d", (int) c).isNotNull();
            }
        }
    }

    @Test
    void rejectsEmptyAndNull() {
        assertThat(TopicNames.problem("", MAX)).isEqualTo("empty topic name");
        assertThat(TopicNames.problem(null, MAX)).isEqualTo("empty topic name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "a\tb", "a\nb", "a\rb", "\u001b[31m", "a\u007fb"})
    void rejectsControlCharacters(String name) {
        assertThat(TopicNames.problem(name, MAX)).isEqualTo("control character in topic name");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "p\u0430ypal",        // Cyrillic 'а' looks like Latin 'a'
        "r\u043Eom",          // Cyrillic 'о'
        "room\u202Etxt.exe",  // RIGHT-TO-LEFT OVERRIDE
        "room\u200B",         // ZERO WIDTH SPACE
        "caf\u00E9",          // é
        "room\u00A0one",      // NO-BREAK SPACE
        "\uFF52oom",          // FULLWIDTH LATIN SMALL LETTER R
        "emoji\uD83D\uDE00"   // a surrogate pair
    })
    void rejectsNonAsciiLookAlikesAndInvisibleCharacters(String name) {
        assertThat(TopicNames.problem(name, MAX)).isEqualTo("non-ASCII character in topic name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", " room", "room ", "news.*", "*", "room?", "?", "a#b", "a\"b", "a\\b", "a%20b",
            "{x}", "a;b", "a'b"})
    void rejectsWhitespacePatternCharactersAndPunctuationOutsideTheSet(String name) {
        assertThat(TopicNames.problem(name, MAX))
                .startsWith("character '")
                .endsWith("not allowed in topic name (allowed: A-Z a-z 0-9 _ - . : / @ = + ,)");
    }

    @Test
    void namesTheOffendingCharacter() {
        assertThat(TopicNames.problem("news.*", MAX)).startsWith("character '*'");
        assertThat(TopicNames.problem("room?", MAX)).startsWith("character '?'");
    }

    @Test
    void enforcesTheMaximumLengthAtItsBoundary() {
        assertThat(TopicNames.problem("a".repeat(MAX), MAX)).isNull();
        assertThat(TopicNames.problem("a".repeat(MAX + 1), MAX)).isEqualTo("topic name longer than 255 characters");
        assertThat(TopicNames.problem("abcd", 4)).isNull();
        assertThat(TopicNames.problem("abcde", 4)).isEqualTo("topic name longer than 4 characters");
        assertThat(TopicNames.problem("a", 1)).isNull();
    }

    @Test
    void checksLengthBeforeCharactersSoHugeNamesAreRejectedCheaply() {
        assertThat(TopicNames.problem("\u0430".repeat(MAX + 1), MAX)).isEqualTo("topic name longer than 255 characters");
    }
}
