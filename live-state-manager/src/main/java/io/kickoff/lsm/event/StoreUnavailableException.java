package io.kickoff.lsm.event;

/** The store could not be reached; the caller may retry later. */
public final class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
