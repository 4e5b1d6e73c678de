package io.kickoff.lsm.event;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A change a producer asks for; absent fields stay as they are. Moving the start is legal before
 * {@code LIVE}; the end may also move during {@code LIVE}; the title may change until the event is over.
 */
public record EventPatch(Optional<String> title, Optional<Instant> start, Optional<Instant> expectedEnd,
                         Optional<Duration> prefetchLead, Optional<Duration> preShowLead, Optional<Boolean> autoEnd) {

    public static EventPatch none() {
        return new EventPatch(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    boolean touchesSchedule() {
        return start.isPresent() || expectedEnd.isPresent() || prefetchLead.isPresent() || preShowLead.isPresent()
                || autoEnd.isPresent();
    }

    public boolean isEmpty() {
        return title.isEmpty() && !touchesSchedule();
    }
}
