package io.kickoff.lsm.event;

import io.kickoff.protocol.v1.StageUpdate;
import java.util.Optional;

/**
 * One accepted change, written in one atomic conditional step: the event (if its stored version
 * is still {@code expectedVersion}), the history line, the stage update for the outbox (if the
 * change is broadcast) and the event's place in the timer index.
 */
public record Commit(LiveEvent event, long expectedVersion, HistoryEntry history, Optional<StageUpdate> update) {
}
