package io.kickoff.lsm.event;

/** Someone else changed the event between our read and our write. */
public final class VersionConflictException extends RuntimeException {
    public VersionConflictException(String id, long expected, long actual) {
        super("event " + id + " is at version " + actual + ", not " + expected);
    }
}
