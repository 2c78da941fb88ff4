package io.fanwire.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;

class TokenExtractorTest {

    private final TokenExtractor extractor = new TokenExtractor("access_token", false);
    private final TokenExtractor withQuery = new TokenExtractor("access_token", true);

    private static QueryStringDecoder query(String uri) {
        return new QueryStringDecoder(uri);
    }

    @Test
    void carriersAreCheckedInOrder() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Authorization", "Bearer from-header")
                .add("Cookie", "access_token=from-cookie")
                .add("Sec-WebSocket-Protocol", "fanwire.v1, bearer.from-subprotocol");
        assertThat(withQuery.extract(headers, query("/ws?token=from-query")))
                .isEqualTo(new FoundToken("from-header", TokenCarrier.AUTHORIZATION_HEADER));
        headers.remove("Authorization");
        assertThat(withQuery.extract(headers, query("/ws?token=from-query")))
                .isEqualTo(new FoundToken("from-cookie", TokenCarrier.COOKIE));
        headers.remove("Cookie");
        assertThat(withQuery.extract(headers, query("/ws?token=from-query")))
                .isEqualTo(new FoundToken("from-subprotocol", TokenCarrier.SUBPROTOCOL));
        headers.remove("Sec-WebSocket-Protocol");
        assertThat(withQuery.extract(headers, query("/ws?token=from-query")))
                .isEqualTo(new FoundToken("from-query", TokenCarrier.QUERY));
    }

    @Test
    void queryIsIgnoredUnlessEnabled() {
        assertThat(extractor.extract(new DefaultHttpHeaders(), query("/ws?token=abc"))).isNull();
    }

    @Test
    void bearerSchemeIsCaseInsensitiveAndOtherSchemesAreIgnored() {
        assertThat(extractor.extract(new DefaultHttpHeaders().add("Authorization", "bearer abc"), query("/ws")))
                .extracting(FoundToken::token).isEqualTo("abc");
        assertThat(extractor.extract(new DefaultHttpHeaders().add("Authorization", "Basic dXNlcjpwYXNz"), query("/ws")))
                .isNull();
        assertThat(extractor.extract(new DefaultHttpHeaders().add("Authorization", "Bearer   "), query("/ws"))).isNull();
    }

    @Test
    void placeholderCookiesCountAsAbsent() {
        for (String value : new String[] {"", "undefined", "null"}) {
            HttpHeaders headers = new DefaultHttpHeaders().add("Cookie", "access_token=" + value);
            assertThat(extractor.extract(headers, query("/ws"))).as(value).isNull();
        }
        HttpHeaders other = new DefaultHttpHeaders().add("Cookie", "session=1; access_token=tok; x=2");
        assertThat(extractor.extract(other, query("/ws"))).extracting(FoundToken::token).isEqualTo("tok");
    }

    @Test
    void subprotocolWithoutTokenIsAbsent() {
        HttpHeaders headers = new DefaultHttpHeaders().add("Sec-WebSocket-Protocol", "fanwire.v1, bearer.");
        assertThat(extractor.extract(headers, query("/ws"))).isNull();
    }

    @Test
    void toStringNeverShowsTheToken() {
        assertThat(new FoundToken("secret-token-value", TokenCarrier.COOKIE).toString())
                .doesNotContain("secret-token-value");
    }
}
