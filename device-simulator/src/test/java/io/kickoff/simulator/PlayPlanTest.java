package io.kickoff.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PlayPlanTest {

    @Test
    void theShareOfTheFleetPlaysFromTheFirstDevice() {
        PlayPlan plan = new PlayPlan(0.8, Duration.ofSeconds(2));
        assertThat(plan.players(10)).isEqualTo(8);
        assertThat(IntStream.range(0, 10).filter(i -> plan.plays(i, 10))).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(plan.players(1_000)).isEqualTo(800);
        assertThat(plan.plays(800, 1_000)).isFalse();
        assertThat(plan.plays(799, 1_000)).isTrue();
    }

    @Test
    void noneAndAllAreExact() {
        assertThat(IntStream.range(0, 50).filter(i -> PlayPlan.NONE.plays(i, 50))).isEmpty();
        PlayPlan all = new PlayPlan(1, Duration.ZERO);
        assertThat(IntStream.range(0, 50).allMatch(i -> all.plays(i, 50))).isTrue();
        assertThat(all.plays(50, 50)).isFalse();
        assertThat(all.players(0)).isZero();
    }

    @Test
    void startDelaysSpreadOverTheWholeDelayAndNoFurther() {
        PlayPlan plan = new PlayPlan(0.5, Duration.ofMillis(2_000));
        SplittableRandom random = new SplittableRandom(7);
        long[] delays = IntStream.range(0, 10_000).mapToLong(i -> plan.startDelayMillis(random)).toArray();
        assertThat(java.util.Arrays.stream(delays).allMatch(d -> d >= 0 && d <= 2_000)).isTrue();
        assertThat(java.util.Arrays.stream(delays).min().orElseThrow()).isLessThan(100);
        assertThat(java.util.Arrays.stream(delays).max().orElseThrow()).isGreaterThan(1_900);
        assertThat(new PlayPlan(1, Duration.ZERO).startDelayMillis(random)).isZero();
    }

    @Test
    void sharesOutsideZeroToOneAndNegativeDelaysAreRefused() {
        assertThatThrownBy(() -> new PlayPlan(1.2, Duration.ZERO)).hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> new PlayPlan(-0.1, Duration.ZERO)).hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> new PlayPlan(Double.NaN, Duration.ZERO)).hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> new PlayPlan(0.5, Duration.ofSeconds(-1))).hasMessageContaining("negative");
    }
}
