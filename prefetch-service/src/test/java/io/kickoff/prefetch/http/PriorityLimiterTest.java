package io.kickoff.prefetch.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PriorityLimiterTest {
    @Test
    void criticalUsesTheReserveOncePrefetchIsShed() {
        PriorityLimiter limiter = new PriorityLimiter(2, 1);
        PriorityLimiter.Permit a = limiter.tryAcquire(Priority.PREFETCH);
        PriorityLimiter.Permit b = limiter.tryAcquire(Priority.CRITICAL);
        assertThat(a).isNotNull();
        assertThat(b).isNotNull();
        assertThat(limiter.tryAcquire(Priority.PREFETCH)).isNull();
        PriorityLimiter.Permit c = limiter.tryAcquire(Priority.CRITICAL);
        assertThat(c).isNotNull();
        assertThat(limiter.tryAcquire(Priority.CRITICAL)).isNull();
        assertThat(limiter.inFlight()).isEqualTo(3);

        a.release();
        a.release(); // twice is a no-op
        assertThat(limiter.inFlight()).isEqualTo(2);
        assertThat(limiter.tryAcquire(Priority.PREFETCH)).isNotNull();
        assertThat(limiter.tryAcquire(Priority.PREFETCH)).isNull();
    }

    @Test
    void parsesThePriorityHeader() {
        assertThat(Priority.parse("critical")).isEqualTo(Priority.CRITICAL);
        assertThat(Priority.parse(" CRITICAL ")).isEqualTo(Priority.CRITICAL);
        assertThat(Priority.parse("prefetch")).isEqualTo(Priority.PREFETCH);
        assertThat(Priority.parse(null)).isEqualTo(Priority.PREFETCH);
        assertThat(Priority.parse("urgent!!")).isEqualTo(Priority.PREFETCH);
    }
}
