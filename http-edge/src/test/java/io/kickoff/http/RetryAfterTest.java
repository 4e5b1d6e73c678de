package io.kickoff.http;

import static org.assertj.core.api.Assertions.assertThat;

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
    void neverBelowOneSecond() {
        assertThat(new RetryAfter(Duration.ZERO, Duration.ZERO, () -> 0.5).seconds()).isEqualTo(1);
    }
}
