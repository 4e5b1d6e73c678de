package io.kickoff.protocol;

/** A frame that could not be decoded in the negotiated wire format. */
public final class MalformedFrameException extends Exception {
    public MalformedFrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
