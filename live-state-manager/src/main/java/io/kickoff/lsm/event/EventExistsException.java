package io.kickoff.lsm.event;

public final class EventExistsException extends RuntimeException {
    public EventExistsException(String id) {
        super("event " + id + " already exists");
    }
}
