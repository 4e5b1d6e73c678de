package io.kickoff.lsm.event;

import io.kickoff.protocol.v1.Stage;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The stage state machine, in one table. Stages only move forward; a producer may skip ahead
 * ("go live now"); {@code CANCELLED} is possible from any stage before {@code ENDED};
 * {@code ENDED} and {@code CANCELLED} are final.
 */
final class StageTransitions {
    private static final Map<Stage, Set<Stage>> ALLOWED = Map.of(
            Stage.SCHEDULED, EnumSet.of(Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE, Stage.CANCELLED),
            Stage.PREFETCH, EnumSet.of(Stage.PRE_SHOW, Stage.LIVE, Stage.CANCELLED),
            Stage.PRE_SHOW, EnumSet.of(Stage.LIVE, Stage.CANCELLED),
            Stage.LIVE, EnumSet.of(Stage.ENDED, Stage.CANCELLED),
            Stage.ENDED, EnumSet.noneOf(Stage.class),
            Stage.CANCELLED, EnumSet.noneOf(Stage.class));

    private StageTransitions() {
    }

    public static Set<Stage> allowedFrom(Stage from) {
        Set<Stage> allowed = ALLOWED.get(from);
        return allowed == null ? Set.of() : Set.copyOf(allowed);
    }

    public static boolean isAllowed(Stage from, Stage to) {
        return allowedFrom(from).contains(to);
    }
}
