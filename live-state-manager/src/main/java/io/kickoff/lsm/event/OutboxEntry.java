package io.kickoff.lsm.event;

import java.time.Instant;

/** A stage update waiting to be published on the bus; removed only once the bus acknowledged it. */
public record OutboxEntry(long id, String eventId, byte[] stageUpdate, Instant enqueuedAt) {
}
