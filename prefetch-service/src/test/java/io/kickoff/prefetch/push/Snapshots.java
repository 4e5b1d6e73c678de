package io.kickoff.prefetch.push;

import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.AudienceSnapshot;
import java.time.Instant;
import java.util.Map;

/** Audience snapshots as the audience service writes them. */
final class Snapshots {
    private Snapshots() {
    }

    static AudienceSnapshot of(String eventId, Instant at, Map<String, Long> segments) {
        return AudienceSnapshot.newBuilder().setEventId(eventId).setAt(Timestamps.of(at))
                .setViewers(segments.values().stream().mapToLong(Long::longValue).sum())
                .putAllSegments(segments).build();
    }
}
