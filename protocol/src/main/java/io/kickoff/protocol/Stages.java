package io.kickoff.protocol;

import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import java.util.List;

/**
 * What the stages of an event mean to every service, written once (docs/protocol.md, "Stages"):
 * <ul>
 *   <li><b>final</b>: {@code ENDED} or {@code CANCELLED}; nothing follows, the event leaves devices'
 *       screens. Every other stage is still current: a device that connects is told it.</li>
 *   <li><b>prefetched</b>: {@code PREFETCH}, {@code PRE_SHOW} and {@code LIVE}, the stages a bundle carries
 *       a rendering for; while an event is in one of them its bundles are kept on devices.</li>
 *   <li><b>in audience</b>: a device of a segment is sent an update that names its segment, or that names
 *       none (everyone).</li>
 * </ul>
 */
public final class Stages {
    /** The prefetched stages, in the order an event goes through them. */
    public static final List<Stage> PREFETCHED = List.of(Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE);

    private Stages() {
    }

    /** {@code ENDED} or {@code CANCELLED}: no stage follows. */
    public static boolean isFinal(Stage stage) {
        return stage == Stage.ENDED || stage == Stage.CANCELLED;
    }

    /** {@code PREFETCH}, {@code PRE_SHOW} or {@code LIVE}: the event's bundles are rendered and kept on devices. */
    public static boolean isPrefetched(Stage stage) {
        return stage == Stage.PREFETCH || stage == Stage.PRE_SHOW || stage == Stage.LIVE;
    }

    /** True if a device of {@code segment} is in the update's audience (an update naming no segment is for everyone). */
    public static boolean inAudience(StageUpdate update, String segment) {
        return update.getSegmentsCount() == 0 || update.getSegmentsList().contains(segment);
    }
}
