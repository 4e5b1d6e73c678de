package io.kickoff.protocol.token;

/** A device token that was refused, with the reason it was refused. */
public final class TokenException extends Exception {

    /** Each reason is distinct so that logs and metrics can tell them apart. */
    public enum Reason {
        /** No token was presented. */
        MISSING,
        /** Not a parseable signed JWT, or signed with an algorithm we do not accept. */
        MALFORMED,
        /** The signature does not verify with our key. */
        BAD_SIGNATURE,
        /** The token's expiry has passed. */
        EXPIRED,
        /** A required claim (device id, segment or expiry) is absent or of the wrong type. */
        MISSING_CLAIM
    }

    private final Reason reason;

    public TokenException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public TokenException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
