package io.kickoff.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    final AtomicLong nanos = new AtomicLong(Long.MAX_VALUE - 1_500_000_000L); // wraps during the test

    int takeAll(TokenBucket bucket) {
        int taken = 0;
        while (bucket.tryTake()) {
            taken++;
        }
        return taken;
    }

    @Test
    void burstThenSustainedRate() {
        TokenBucket bucket = new TokenBucket(10, 4, nanos::get);
        assertThat(takeAll(bucket)).isEqualTo(4);
        nanos.addAndGet(100_000_000L);
        assertThat(takeAll(bucket)).isEqualTo(1);
        nanos.addAndGet(50_000_000L);
        assertThat(takeAll(bucket)).isZero();
        nanos.addAndGet(250_000_000L); // 0.3 s since the last token: 3 back
        assertThat(takeAll(bucket)).isEqualTo(3);
        nanos.addAndGet(10_000_000_000L); // across the long wrap: never more than the burst
        assertThat(takeAll(bucket)).isEqualTo(4);
    }

    @Test
    void refusesNonPositiveSettings() {
        assertThatThrownBy(() -> new TokenBucket(0, 1, nanos::get)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(1, 0, nanos::get)).isInstanceOf(IllegalArgumentException.class);
    }
}
