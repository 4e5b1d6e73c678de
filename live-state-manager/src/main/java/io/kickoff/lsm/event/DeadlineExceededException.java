package io.kickoff.lsm.event;

import java.time.Instant;

/** A change whose deadline passed before it could be applied: it was not applied. */
public final class DeadlineExceededException extends RuntimeException {
    private final Instant deadline;

    public DeadlineExceededException(Instant deadline) {
        super("the request's deadline " + deadline + " passed before it was applied; it was not applied", null, false, false);
        this.deadline = deadline;
    }

    public Instant deadline() {
        return deadline;
    }
}
