package io.kickoff.prefetch.push;

import io.kickoff.protocol.v1.AudienceSnapshot;
import java.util.Optional;

/**
 * The latest audience of each event as the audience service published it on {@code kickoff.audience}: where the push
 * priorities learn how many devices of each segment watch an event. Implementations: {@link BusAudienceFeed} (reads the
 * topic) and {@link InMemoryAudienceFeed} (fed by hand; tests, and the bus feed's own memory).
 */
public interface AudienceFeed {
    /** A feed that never has an audience: the priorities fall back to the configured estimate or equal shares. */
    AudienceFeed NONE = eventId -> Optional.empty();

    /** The event's latest snapshot, or empty if none was published (or it was removed). */
    Optional<AudienceSnapshot> latest(String eventId);
}
