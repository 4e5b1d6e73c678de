package io.kickoff.lsm.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.protocol.v1.Stage;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StageTransitionsTest {
    static final Set<Stage> REAL = EnumSet.of(Stage.SCHEDULED, Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE, Stage.ENDED,
            Stage.CANCELLED);

    @Test
    void stagesOnlyMoveForward() {
        for (Stage from : REAL) {
            for (Stage to : StageTransitions.allowedFrom(from)) {
                assertThat(to.getNumber()).as(from + " → " + to).isGreaterThan(from.getNumber());
            }
        }
    }

    @Test
    void cancelIsPossibleFromEveryStageBeforeTheEnd() {
        for (Stage from : EnumSet.of(Stage.SCHEDULED, Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE)) {
            assertThat(StageTransitions.isAllowed(from, Stage.CANCELLED)).as(from.name()).isTrue();
        }
    }

    @Test
    void endedAndCancelledAreFinal() {
        assertThat(StageTransitions.allowedFrom(Stage.ENDED)).isEmpty();
        assertThat(StageTransitions.allowedFrom(Stage.CANCELLED)).isEmpty();
    }

    @Test
    void onlyALiveEventCanEnd() {
        for (Stage from : REAL) {
            assertThat(StageTransitions.isAllowed(from, Stage.ENDED)).as(from.name()).isEqualTo(from == Stage.LIVE);
        }
    }

    @Test
    void nothingMovesToScheduledOrItself() {
        for (Stage from : REAL) {
            assertThat(StageTransitions.isAllowed(from, Stage.SCHEDULED)).isFalse();
            assertThat(StageTransitions.isAllowed(from, from)).isFalse();
            assertThat(StageTransitions.isAllowed(from, Stage.STAGE_UNSPECIFIED)).isFalse();
        }
    }
}
