package io.kickoff.prefetch.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JitterTest {
    @Test
    void maxAgeStaysInItsRangeAndVaries() {
        Random random = new Random(42);
        Jitter jitter = new Jitter(random::nextDouble);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            long s = jitter.secondsAround(Duration.ofSeconds(300), 0.2);
            assertThat(s).isBetween(240L, 360L);
            seen.add(s);
        }
        assertThat(seen).hasSizeGreaterThan(100).contains(240L, 360L);
    }

    @Test
    void extremesOfTheUniformSourceStayInRange() {
        assertThat(new Jitter(() -> 0.0).secondsAround(Duration.ofSeconds(100), 0.1)).isEqualTo(90);
        assertThat(new Jitter(() -> 0.999_999_999).secondsAround(Duration.ofSeconds(100), 0.1)).isEqualTo(110);
        assertThat(new Jitter(() -> 0.5).secondsAround(Duration.ofSeconds(1), 0.5)).isEqualTo(1);
    }
}
