package io.kickoff.prefetch.push;

import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.AudienceSnapshot;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The latest snapshot per event, in memory. Thread-safe. */
public final class InMemoryAudienceFeed implements AudienceFeed {
    private final Map<String, AudienceSnapshot> latest = new ConcurrentHashMap<>();

    /**
     * Keeps {@code snapshot} as its event's latest unless one taken later is already held (a replayed or reordered
     * record never moves the audience back in time). A snapshot without an event id is refused.
     *
     * @return whether it was kept
     */
    public boolean accept(AudienceSnapshot snapshot) {
        if (snapshot.getEventId().isEmpty()) {
            return false;
        }
        boolean[] kept = {false};
        latest.compute(snapshot.getEventId(), (id, held) -> {
            if (held != null && Timestamps.toInstant(snapshot.getAt()).isBefore(Timestamps.toInstant(held.getAt()))) {
                return held;
            }
            kept[0] = true;
            return snapshot;
        });
        return kept[0];
    }

    /** Forgets the event's audience (its record was deleted from the topic). */
    public void forget(String eventId) {
        latest.remove(eventId);
    }

    @Override
    public Optional<AudienceSnapshot> latest(String eventId) {
        return Optional.ofNullable(latest.get(eventId));
    }
}
