package io.fanwire.server.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** Topic ACLs from token claims: glob patterns, deny over allow, and what missing or malformed claims mean. */
class TopicAclTest {

    private static TopicAcl acl(Map<String, Object> claims) {
        return TopicAcl.fromClaims(claims, true, false);
    }

    private static Map<String, Object> rules(List<String> allow, List<String> deny) {
        Map<String, Object> rules = new HashMap<>();
        if (allow != null) {
            rules.put("allow", allow);
        }
        if (deny != null) {
            rules.put("deny", deny);
        }
        return rules;
    }

    @Test
    void globMatchesStarAnywhereAndQuestionMarkAsOneCharacter() {
        assertThat(TopicAcl.matches("news.*", "news.eu")).isTrue();
        assertThat(TopicAcl.matches("news.*", "news.")).isTrue();
        assertThat(TopicAcl.matches("news.*", "news")).isFalse();
        assertThat(TopicAcl.matches("news.*", "sports.news.eu")).isFalse();
        assertThat(TopicAcl.matches("*.eu", "news.eu")).isTrue();
        assertThat(TopicAcl.matches("*.eu", "news.eu.old")).isFalse();
        assertThat(TopicAcl.matches("room-*-private", "room-42-private")).isTrue();
        assertThat(TopicAcl.matches("room-*-private", "room--private")).isTrue();
        assertThat(TopicAcl.matches("room-*-private", "room-42-public")).isFalse();
        assertThat(TopicAcl.matches("a*b*c", "aXXbYYc")).isTrue();
        assertThat(TopicAcl.matches("a*b*c", "aXXcYYb")).isFalse();
        assertThat(TopicAcl.matches("a*bc", "abcbc")).isTrue();
        assertThat(TopicAcl.matches("user:?", "user:7")).isTrue();
        assertThat(TopicAcl.matches("user:?", "user:")).isFalse();
        assertThat(TopicAcl.matches("user:?", "user:42")).isFalse();
        assertThat(TopicAcl.matches("user:??", "user:42")).isTrue();
        assertThat(TopicAcl.matches("?*", "")).isFalse();
        assertThat(TopicAcl.matches("*", "")).isTrue();
        assertThat(TopicAcl.matches("*", "anything/at:all")).isTrue();
        assertThat(TopicAcl.matches("**", "x")).isTrue();
        assertThat(TopicAcl.matches("", "")).isTrue();
        assertThat(TopicAcl.matches("", "x")).isFalse();
        assertThat(TopicAcl.matches("exact", "exact")).isTrue();
        assertThat(TopicAcl.matches("exact", "Exact")).as("case-sensitive").isFalse();
        assertThat(TopicAcl.matches("exact", "exactly")).isFalse();
    }

    @Test
    void globAgreesWithARegexOracleOnRandomPatterns() {
        Random random = new Random(20240917L);
        String patternAlphabet = "ab*?";
        for (int i = 0; i < 20_000; i++) {
            String pattern = randomString(random, patternAlphabet, 7);
            String text = randomString(random, "ab", 9);
            String regex = pattern.replace("?", ".").replace("*", ".*");
            assertThat(TopicAcl.matches(pattern, text))
                    .as("%s ~ %s", pattern, text)
                    .isEqualTo(Pattern.matches(regex, text));
        }
    }

    @Test
    void globStaysLinearOnPathologicalPatterns() {
        // A backtracking matcher would take exponential time here; the iterative one answers at once.
        String text = "a".repeat(200);
        assertThat(TopicAcl.matches("*a*a*a*a*a*a*a*a*a*a*b", text)).isFalse();
        assertThat(TopicAcl.matches("*a*a*a*a*a*a*a*a*a*a*a", text)).isTrue();
    }

    private static String randomString(Random random, String alphabet, int maxLength) {
        int length = random.nextInt(maxLength + 1);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    @Test
    void denyWinsOverAllow() {
        TopicAcl acl = acl(Map.of(TopicAcl.SUBSCRIBE_CLAIM,
                rules(List.of("public.*", "secret.*", "*"), List.of("secret.*", "admin"))));
        assertThat(acl.maySubscribe("public.a")).isTrue();
        assertThat(acl.maySubscribe("other")).isTrue();
        assertThat(acl.maySubscribe("secret.b")).isFalse();
        assertThat(acl.maySubscribe("admin")).isFalse();
        assertThat(acl.maySubscribe("admin2")).isTrue();
    }

    @Test
    void anAllowListPermitsOnlyWhatItLists() {
        TopicAcl acl = acl(Map.of(TopicAcl.SUBSCRIBE_CLAIM, rules(List.of("room-?", "news.*"), null)));
        assertThat(acl.maySubscribe("room-1")).isTrue();
        assertThat(acl.maySubscribe("news.eu")).isTrue();
        assertThat(acl.maySubscribe("room-12")).isFalse();
        assertThat(acl.maySubscribe("sports")).isFalse();
    }

    @Test
    void anEmptyAllowListPermitsNothing() {
        TopicAcl acl = acl(Map.of(TopicAcl.SUBSCRIBE_CLAIM, rules(List.of(), null)));
        assertThat(acl.maySubscribe("anything")).isFalse();
    }

    @Test
    void aDenyOnlyClaimPermitsEverythingElseEvenWhereTheDefaultDenies() {
        TopicAcl acl = TopicAcl.fromClaims(Map.of(
                TopicAcl.SUBSCRIBE_CLAIM, rules(null, List.of("admin.*")),
                TopicAcl.PUBLISH_CLAIM, rules(null, List.of("announcements"))), false, false);
        assertThat(acl.maySubscribe("chat")).isTrue();
        assertThat(acl.maySubscribe("admin.users")).isFalse();
        assertThat(acl.mayPublish("chat")).isTrue();
        assertThat(acl.mayPublish("announcements")).isFalse();
    }

    @Test
    void aClaimWithNeitherListFallsBackToTheDefault() {
        assertThat(TopicAcl.fromClaims(Map.of(TopicAcl.SUBSCRIBE_CLAIM, Map.of()), true, false).maySubscribe("x"))
                .isTrue();
        assertThat(TopicAcl.fromClaims(Map.of(TopicAcl.SUBSCRIBE_CLAIM, Map.of()), false, false).maySubscribe("x"))
                .isFalse();
    }

    @Test
    void missingClaimsMeanTheServerDefaults() {
        TopicAcl defaults = TopicAcl.fromClaims(Map.of(), true, false);
        assertThat(defaults.maySubscribe("any")).isTrue();
        assertThat(defaults.mayPublish("any")).isFalse();

        TopicAcl inverted = TopicAcl.fromClaims(Map.of("unrelated", "claim"), false, true);
        assertThat(inverted.maySubscribe("any")).isFalse();
        assertThat(inverted.mayPublish("any")).isTrue();
    }

    @Test
    void aMalformedClaimGrantsNothingEvenWhereTheDefaultAllows() {
        for (Object malformed : List.of("news.*", List.of("news.*"), 42, true)) {
            TopicAcl acl = TopicAcl.fromClaims(Map.of(TopicAcl.SUBSCRIBE_CLAIM, malformed,
                    TopicAcl.PUBLISH_CLAIM, malformed), true, true);
            assertThat(acl.maySubscribe("news.eu")).as("subscribe with %s", malformed).isFalse();
            assertThat(acl.mayPublish("news.eu")).as("publish with %s", malformed).isFalse();
        }
    }

    @Test
    void malformedListsInsideAClaimAreReadStrictly() {
        Map<String, Object> rules = new HashMap<>();
        rules.put("allow", 42);
        assertThat(acl(Map.of(TopicAcl.SUBSCRIBE_CLAIM, rules)).maySubscribe("x")).as("allow: 42").isFalse();

        rules.put("allow", "news.*");
        TopicAcl single = acl(Map.of(TopicAcl.SUBSCRIBE_CLAIM, rules));
        assertThat(single.maySubscribe("news.eu")).as("allow: a single string").isTrue();
        assertThat(single.maySubscribe("sports")).isFalse();

        rules.put("allow", List.of(7, "room", Map.of("x", 1)));
        TopicAcl mixed = acl(Map.of(TopicAcl.SUBSCRIBE_CLAIM, rules));
        assertThat(mixed.maySubscribe("room")).as("non-strings are ignored").isTrue();
        assertThat(mixed.maySubscribe("7")).isFalse();

        Map<String, Object> nullAllow = new HashMap<>();
        nullAllow.put("allow", null);
        assertThat(acl(Map.of(TopicAcl.SUBSCRIBE_CLAIM, nullAllow)).maySubscribe("x"))
                .as("allow: null is an empty allow list").isFalse();
    }

    @Test
    void wseTopicsIsAnAliasOfTheSubscribeClaim() {
        TopicAcl wse = acl(Map.of(TopicAcl.WSE_SUBSCRIBE_CLAIM, rules(List.of("wse.*"), null)));
        assertThat(wse.maySubscribe("wse.x")).isTrue();
        assertThat(wse.maySubscribe("other")).isFalse();
        assertThat(wse.mayPublish("wse.x")).as("the alias is about subscribing only").isFalse();
    }

    @Test
    void fanwireTopicsWinsOverTheWseAlias() {
        TopicAcl both = acl(Map.of(
                TopicAcl.SUBSCRIBE_CLAIM, rules(List.of("fw.*"), null),
                TopicAcl.WSE_SUBSCRIBE_CLAIM, rules(List.of("wse.*"), null)));
        assertThat(both.maySubscribe("fw.x")).isTrue();
        assertThat(both.maySubscribe("wse.x")).isFalse();
    }

    @Test
    void subscribeAndPublishClaimsAreIndependent() {
        TopicAcl acl = TopicAcl.fromClaims(Map.of(
                TopicAcl.SUBSCRIBE_CLAIM, rules(List.of("read.*"), null),
                TopicAcl.PUBLISH_CLAIM, rules(List.of("write.*"), null)), false, false);
        assertThat(acl.maySubscribe("read.a")).isTrue();
        assertThat(acl.maySubscribe("write.a")).isFalse();
        assertThat(acl.mayPublish("write.a")).isTrue();
        assertThat(acl.mayPublish("read.a")).isFalse();
    }
}
