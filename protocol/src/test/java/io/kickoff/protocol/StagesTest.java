package io.kickoff.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StagesTest {
    /** The stages an event can be in (the protobuf enum also has UNSPECIFIED and UNRECOGNIZED). */
    static final Set<Stage> EVENT_STAGES = EnumSet.of(Stage.SCHEDULED, Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE,
            Stage.ENDED, Stage.CANCELLED);

    static Set<Stage> where(java.util.function.Predicate<Stage> meaning) {
        return EVENT_STAGES.stream().filter(meaning).collect(Collectors.toCollection(() -> EnumSet.noneOf(Stage.class)));
    }

    @Test
    void onlyEndedAndCancelledAreFinal() {
        assertThat(where(Stages::isFinal)).containsExactlyInAnyOrder(Stage.ENDED, Stage.CANCELLED);
    }

    @Test
    void prefetchPreShowAndLiveArePrefetchedAndListedInTheOrderAnEventGoesThroughThem() {
        assertThat(where(Stages::isPrefetched)).containsExactlyInAnyOrder(Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE);
        assertThat(Stages.PREFETCHED).containsExactly(Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE);
    }

    @Test
    void aScheduledEventIsNeitherFinalNorPrefetched() {
        assertThat(Stages.isFinal(Stage.SCHEDULED)).isFalse();
        assertThat(Stages.isPrefetched(Stage.SCHEDULED)).isFalse();
        assertThat(Arrays.stream(Stage.values()).filter(s -> Stages.isFinal(s) && Stages.isPrefetched(s))).isEmpty();
    }

    @Test
    void anUpdateNamingNoSegmentIsForEveryoneAndOneNamingSegmentsOnlyForThem() {
        StageUpdate everyone = StageUpdate.newBuilder().setEventId("e").setStage(Stage.LIVE).setSeq(1).build();
        StageUpdate usEn = everyone.toBuilder().addSegments("us-en").addSegments("us-es").build();

        assertThat(Stages.inAudience(everyone, "any")).isTrue();
        assertThat(Stages.inAudience(usEn, "us-en")).isTrue();
        assertThat(Stages.inAudience(usEn, "us-es")).isTrue();
        assertThat(Stages.inAudience(usEn, "fr-fr")).isFalse();
    }
}
