package io.kickoff.lsm.event;

import io.kickoff.protocol.v1.Stage;

/** A schedule or title change the event's stage no longer allows (e.g. moving the start of a live event). */
public final class IllegalChangeException extends RuntimeException {
    private final Stage current;
    private final String field;

    public IllegalChangeException(String eventId, Stage current, String field, String rule) {
        super("event " + eventId + " is " + current + ": " + rule);
        this.current = current;
        this.field = field;
    }

    public Stage current() {
        return current;
    }

    public String field() {
        return field;
    }
}
