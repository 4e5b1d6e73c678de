package io.kickoff.lsm.event;

import io.kickoff.protocol.v1.Stage;
import java.util.Set;

/** A transition the state machine refuses, with what would have been allowed. */
public final class IllegalTransitionException extends RuntimeException {
    private final Stage current;
    private final Stage requested;

    public IllegalTransitionException(String eventId, Stage current, Stage requested) {
        super("event " + eventId + " is " + current + " and cannot move to " + requested
                + "; allowed: " + StageTransitions.allowedFrom(current));
        this.current = current;
        this.requested = requested;
    }

    public Stage current() {
        return current;
    }

    public Stage requested() {
        return requested;
    }

    public Set<Stage> allowed() {
        return StageTransitions.allowedFrom(current);
    }
}
