package io.kickoff.lsm.event;

/** A schedule that cannot be: names the field at fault. */
public final class InvalidScheduleException extends IllegalArgumentException {
    private final String field;

    public InvalidScheduleException(String message, String field) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
