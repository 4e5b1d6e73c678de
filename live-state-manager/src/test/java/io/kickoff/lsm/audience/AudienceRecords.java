package io.kickoff.lsm.audience;

import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.AudienceSnapshot;
import io.kickoff.protocol.v1.BroadcastPlays;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import java.time.Instant;
import java.util.Map;

/** The records the audience service and the outbox relay publish, as the view's tests need them. */
public final class AudienceRecords {
    private AudienceRecords() {
    }

    public static byte[] snapshot(String event, Instant at, long viewers, Map<String, Long> segments) {
        return AudienceSnapshot.newBuilder().setEventId(event).setAt(Timestamps.of(at)).setViewers(viewers)
                .putAllSegments(segments).build().toByteArray();
    }

    public static byte[] snapshot(String event, Instant at, long viewers, Map<String, Long> segments, long seq, Stage stage,
                           Instant issuedAt, long plays) {
        return AudienceSnapshot.newBuilder().setEventId(event).setAt(Timestamps.of(at)).setViewers(viewers)
                .putAllSegments(segments)
                .addBroadcasts(BroadcastPlays.newBuilder().setSeq(seq - 1).setStage(Stage.PRE_SHOW)
                        .setIssuedAt(Timestamps.of(issuedAt.minusSeconds(300))).setPlays(3).setWindowMs(60_000))
                .addBroadcasts(BroadcastPlays.newBuilder().setSeq(seq).setStage(stage).setIssuedAt(Timestamps.of(issuedAt))
                        .setPlays(plays).setWindowMs(60_000))
                .build().toByteArray();
    }

    public static byte[] stage(String event, Stage stage, long seq) {
        return StageUpdate.newBuilder().setEventId(event).setStage(stage).setSeq(seq).build().toByteArray();
    }
}
