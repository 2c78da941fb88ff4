package io.fanwire.server.testing;

import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scrape of {@code GET /metrics} in the Prometheus text format, read the way a test needs: the value of one
 * series, or the sum over every label set of a name.
 *
 * @param status the HTTP status
 * @param contentType the {@code Content-Type} answered
 * @param text the body
 */
public record Exposition(int status, String contentType, String text) {

    /** Scrapes {@code port} without a key. */
    public static Exposition scrape(int port) {
        ApiClient.Answer answer = ApiClient.withHeaders(port).get("/metrics");
        return new Exposition(answer.status(), answer.header("Content-Type"), answer.response().body());
    }

    /** The value of {@code series}, written exactly as exposed: {@code name} or {@code name{label="v",...}}. */
    public OptionalDouble value(String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
    }

    /** The sum of every sample of {@code name} (all label sets); 0 when there is none. */
    public double sum(String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? (\\S+)$").matcher(text);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    /** Whether any sample of {@code name} is exposed. */
    public boolean has(String name) {
        return Pattern.compile("(?m)^" + Pattern.quote(name) + "[ {]").matcher(text).find();
    }
}
