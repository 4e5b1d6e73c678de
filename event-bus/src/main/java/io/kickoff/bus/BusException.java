package io.kickoff.bus;

/** The bus could not do what was asked (broker unreachable, topic could not be created, ...). */
public final class BusException extends RuntimeException {
    public BusException(String message, Throwable cause) {
        super(message, cause);
    }

    public BusException(String message) {
        super(message);
    }
}
