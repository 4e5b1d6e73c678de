package io.kickoff.lsm.event;

import io.kickoff.protocol.v1.StageUpdate;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One accepted change, written in one atomic conditional step: the event (if its stored version is still
 * {@code expectedVersion}), the history line, the stage update for the outbox (if the change is broadcast) and the
 * event's place in the timer index. A change only the leader may make (a timer firing) carries the leader's
 * {@code fencingToken}, and the store refuses it with {@link DeposedLeaderException} if the lease has passed on since.
 */
public record Commit(LiveEvent event, long expectedVersion, HistoryEntry history, Optional<StageUpdate> update,
                     OptionalLong fencingToken) {

    /** A change anyone may make (a producer's), not fenced. */
    public Commit(LiveEvent event, long expectedVersion, HistoryEntry history, Optional<StageUpdate> update) {
        this(event, expectedVersion, history, update, OptionalLong.empty());
    }
}
