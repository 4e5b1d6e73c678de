package io.kickoff.lsm.client;

/** A call to the admin API got no answer: connection refused or reset, a timeout, or the caller was interrupted. */
public final class AdminUnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AdminUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
