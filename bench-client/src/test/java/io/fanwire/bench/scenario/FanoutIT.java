package io.fanwire.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fanwire.bench.report.Metric;
import io.fanwire.bench.report.TierResult;

class FanoutIT {

    @Test
    void everySubscriberGetsEveryPublicationInOrderFromEitherPublisher() throws Exception {
        try (TestServer server = TestServer.start()) {
            for (String publisher : new String[] {"http", "ws"}) {
                TierResult tier = server.scenario(new Fanout(), "--publisher", publisher, "--tiers", "50",
                        "--duration", "1s", "--publish-rate", "20").run().tiers().getFirst();

                long published = tier.counter(Metric.SENT);
                assertThat(tier.counter("subscribed")).as(publisher).isEqualTo(50);
                assertThat(published).as(publisher).isPositive();
                assertThat(tier.counter("accepted")).as(publisher).isEqualTo(published);
                assertThat(tier.counter("server_publications")).as(publisher).isEqualTo(published);
                assertThat(tier.counter(Metric.RECEIVED)).as(publisher).isEqualTo(published * 50);
                assertThat(tier.counter(Metric.SERVER_DELIVERED)).as(publisher).isEqualTo(published * 50);
                assertThat(tier.counter(Metric.LOST)).isZero();
                assertThat(tier.counter(Metric.GAPS)).isZero();
                assertThat(tier.counter(Metric.DUPLICATES)).isZero();
                assertThat(tier.counter(Metric.REORDERS)).isZero();
                assertThat(tier.counter(Metric.SERVER_SLOW_DROPS)).isZero();
                assertThat(tier.counter(Metric.HTTP_ERRORS)).isZero();
                assertThat(tier.latencies().get(Metric.DELIVERY).count()).isEqualTo(published * 50);
            }
        }
    }
}
