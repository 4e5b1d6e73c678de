package io.kickoff.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void readsWhatPeopleWrite() {
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(Durations.parse(" 1H ")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("0")).isZero();
    }

    @Test
    void stillReadsIso8601() {
        assertThat(Durations.parse("PT30S")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("pt1h")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void refusesAnythingElseSayingWhatToWrite() {
        for (String bad : new String[] {"", "30", "s", "1x", "1h 30m", "-5s", "1.5h", "PTX", "30s!"}) {
            assertThatThrownBy(() -> Durations.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("e.g. 30s");
        }
    }

    @Test
    void formatsTheShortestHumanFormThatReadsBack() {
        for (Duration d : new Duration[] {Duration.ZERO, Duration.ofMillis(250), Duration.ofSeconds(90),
                Duration.ofMinutes(90), Duration.ofDays(2).plusSeconds(1)}) {
            assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
        }
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    }
}
