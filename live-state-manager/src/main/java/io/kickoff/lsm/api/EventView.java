package io.kickoff.lsm.api;

import io.kickoff.lsm.event.LiveEvent;
import java.time.Instant;
import java.util.List;

/** An event as the admin API shows it. */
record EventView(String id, String title, List<String> segments, Instant scheduledStart, String stage,
                 long seq, long version) {

    static EventView of(LiveEvent e) {
        return new EventView(e.id(), e.title(), e.segments(), e.scheduledStart(), e.stage().name(), e.seq(), e.version());
    }
}
