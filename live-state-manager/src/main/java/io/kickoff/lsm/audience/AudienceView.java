package io.kickoff.lsm.audience;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The audience of events as the Live State Manager shows it to producers: per event, the latest snapshot the audience
 * service published and a per-second series of the last hour. {@link BusAudienceView} is fed from the bus;
 * {@link UnavailableAudienceView} stands where there is no audience service to feed it ({@code memory} mode).
 */
public sealed interface AudienceView permits BusAudienceView, UnavailableAudienceView {

    /** Whether an audience source feeds this view; when false, {@link #of} has nothing to say and callers answer so. */
    boolean available();

    /**
     * The audience of {@code eventId}: its latest snapshot (empty if none was heard within the last hour) and its series
     * of the last hour from {@code since} on (inclusive; empty: the whole hour), oldest first.
     */
    EventAudience of(String eventId, Optional<Instant> since);

    /** The latest snapshot of every event this view keeps, most recent first. */
    List<EventAudience.Snapshot> latest();
}
