package io.kickoff.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

    @Test
    void delaysStayWithinTheDoublingCeilingCappedAtTheMaximum() {
        Random random = new Random(7);
        for (int attempt = 0; attempt < 64; attempt++) {
            long ceiling = Math.min(30_000, 100L << Math.min(attempt, 30));
            for (int sample = 0; sample < 200; sample++) {
                assertThat(ReconnectBackoff.delayMillis(100, 30_000, attempt, random)).isBetween(0L, ceiling);
            }
        }
    }

    @Test
    void jitterSpreadsDelaysOverTheWholeRange() {
        Random random = new Random(11);
        long smallest = Long.MAX_VALUE;
        long largest = 0;
        for (int sample = 0; sample < 1_000; sample++) {
            long delay = ReconnectBackoff.delayMillis(1_000, 60_000, 3, random);
            smallest = Math.min(smallest, delay);
            largest = Math.max(largest, delay);
        }
        assertThat(smallest).isLessThan(1_000);
        assertThat(largest).isGreaterThan(7_000);
    }
}
