package io.kickoff.lsm.audience;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** No audience source: {@code memory} mode has no Kafka, so no audience service publishes anything to read. */
public final class UnavailableAudienceView implements AudienceView {

    @Override
    public boolean available() {
        return false;
    }

    @Override
    public EventAudience of(String eventId, Optional<Instant> since) {
        return EventAudience.none(eventId);
    }

    @Override
    public List<EventAudience.Snapshot> latest() {
        return List.of();
    }
}
