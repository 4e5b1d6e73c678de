package io.kickoff.prefetch.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import org.junit.jupiter.api.Test;

class AudienceEstimateTest {

    @Test
    void readsWeightsForEveryEventAndPerEventFromCommaSeparatedOrRepeatedEntries() {
        AudienceEstimate estimate = AudienceEstimate.parse(List.of("us-en=0.6, uk-en=0.3", "final/uk-en=0.7,final/us-en=0.3"));
        assertThat(estimate.everyEvent()).containsOnly(entry("us-en", 0.6), entry("uk-en", 0.3));
        assertThat(estimate.perEvent()).containsOnlyKeys("final");
        assertThat(estimate.perEvent().get("final")).containsOnly(entry("uk-en", 0.7), entry("us-en", 0.3));
        assertThat(AudienceEstimate.parse(List.of()).isEmpty()).isTrue();
        // Segment ids may hold ':' and '.', as device tokens' do.
        assertThat(AudienceEstimate.parse(List.of("eu:de.de=2")).everyEvent()).containsOnly(entry("eu:de.de", 2.0));
    }

    @Test
    void anEventWithEntriesOfItsOwnUsesOnlyThoseAndUnnamedSegmentsShareWhatIsLeft() {
        AudienceEstimate estimate = AudienceEstimate.parse(List.of("us-en=0.5,uk-en=0.25", "final/uk-en=0.75"));
        // 0.25 is left for the two segments nobody named.
        assertThat(estimate.shares("semi", List.of("us-en", "uk-en", "de-de", "fr-fr")))
                .containsExactly(entry("us-en", 0.5), entry("uk-en", 0.25), entry("de-de", 0.125), entry("fr-fr", 0.125));
        assertThat(estimate.shares("final", List.of("us-en", "uk-en")))
                .containsExactly(entry("us-en", 0.25), entry("uk-en", 0.75));
        // Weights summing past 1 (counts, say) leave nothing to the unnamed.
        assertThat(AudienceEstimate.parse(List.of("us-en=600,uk-en=300")).shares("semi", List.of("uk-en", "de-de")))
                .containsExactly(entry("uk-en", 300.0), entry("de-de", 0.0));
        assertThat(AudienceEstimate.none().shares("semi", List.of("us-en"))).containsExactly(entry("us-en", 0.0));
    }

    @Test
    void refusesEntriesItCannotReadNamingThem() {
        for (String bad : List.of("us-en", "us-en=-1", "us-en=lots", "=0.5", "Final/us-en=0.5", "us en=1", "us-en=NaN")) {
            assertThatThrownBy(() -> AudienceEstimate.parse(List.of(bad))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("[EVENT/]SEGMENT=WEIGHT");
        }
        assertThatThrownBy(() -> AudienceEstimate.parse(List.of("us-en=0.5", "us-en=0.6")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'us-en' given twice");
    }
}
