package io.kickoff.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    @Test
    void spreadsOverTheWholeRange() {
        assertThat(new RetryAfter(Duration.ofSeconds(1), Duration.ofSeconds(10), () -> 0.0).seconds()).isEqualTo(1);
        assertThat(new RetryAfter(Duration.ofSeconds(1), Duration.ofSeconds(10), () -> 0.9999).seconds()).isEqualTo(10);
        Set<Long> seen = new HashSet<>();
        RetryAfter random = RetryAfter.between(Duration.ofSeconds(1), Duration.ofSeconds(10));
        for (int i = 0; i < 2000; i++) {
            long s = random.seconds();
            assertThat(s).isBetween(1L, 10L);
            seen.add(s);
        }
        assertThat(seen).as("not one fixed value").hasSizeGreaterThan(5);
    }

    @Test
    void boundsThatAreNotWholeSecondsAreRoundedUp() {
        assertThat(new RetryAfter(Duration.ofMillis(1_200), Duration.ofMillis(1_200), () -> 0.0).seconds()).isEqualTo(2);
        assertThat(new RetryAfter(Duration.ofMillis(2_001), Duration.ofSeconds(4), () -> 0.0).seconds()).isEqualTo(3);
        assertThat(new RetryAfter(Duration.ofMillis(2_001), Duration.ofSeconds(4), () -> 0.9999).seconds()).isEqualTo(4);
    }

    @Test
    void setsAFreshValueOnAnAnswer() {
        RetryAfter retryAfter = new RetryAfter(Duration.ofSeconds(1), Duration.ofSeconds(10), () -> 0.5);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(retryAfter.on(response)).isSameAs(response);
        assertThat(response.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("6");
        response.release();
    }

    @Test
    void neverBelowOneSecond() {
        assertThat(new RetryAfter(Duration.ZERO, Duration.ZERO, () -> 0.5).seconds()).isEqualTo(1);
    }
}
