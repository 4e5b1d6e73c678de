package io.kickoff.lsm.event;

public final class UnknownEventException extends RuntimeException {
    public UnknownEventException(String id) {
        super("no event with id " + id);
    }
}
