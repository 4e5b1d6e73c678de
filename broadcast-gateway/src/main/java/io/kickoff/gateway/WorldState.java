package io.kickoff.gateway;

import io.kickoff.protocol.v1.StageUpdate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest stage update of every event this gateway has heard of, as read from the compacted
 * stages topic. Updates only move forward: an update whose seq is not greater than the one held
 * is a duplicate or out of date and is ignored.
 */
final class WorldState {
    private final Map<String, StageUpdate> latest = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong version = new java.util.concurrent.atomic.AtomicLong();

    /** Keeps {@code update} if it is newer than what is held; returns true if it was. */
    public boolean apply(StageUpdate update) {
        boolean[] newer = new boolean[1];
        latest.compute(update.getEventId(), (id, held) -> {
            if (held == null || update.getSeq() > held.getSeq()) {
                newer[0] = true;
                version.incrementAndGet();
                return update;
            }
            return held;
        });
        return newer[0];
    }

    /** Grows with every update kept: a reader that saw version v has seen the world as of v. */
    public long version() {
        return version.get();
    }

    public StageUpdate get(String eventId) {
        return latest.get(eventId);
    }

    public Collection<StageUpdate> all() {
        return List.copyOf(latest.values());
    }

    public int size() {
        return latest.size();
    }
}
