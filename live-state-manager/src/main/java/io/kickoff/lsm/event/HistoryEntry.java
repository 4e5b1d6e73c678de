package io.kickoff.lsm.event;

import io.kickoff.protocol.v1.Stage;
import java.time.Instant;

/**
 * One line of an event's audit history: every accepted change, who made it and why.
 *
 * @param seq            the event's seq after the change (unchanged for changes that are not broadcast)
 * @param version        the event's version after the change
 * @param reason         created, scheduled, manual, delayed, advanced, end_changed, ended_early, cancelled, retitled
 * @param actor          who: a token's name, or "scheduler"
 * @param scheduledStart the start after the change
 */
public record HistoryEntry(long seq, long version, Stage stage, String reason, String actor, Instant at,
                           Instant scheduledStart) {
}
