package io.kickoff.bus;

/**
 * A {@link FencedPublisher} may not publish: another publisher of its group claimed the group after it did (or it
 * never claimed). Nothing of the refused publish is visible to subscribers. Not a bus outage: retrying does not help,
 * only a new {@link FencedPublisher#claim(long)} does, and only the rightful holder should make one.
 */
public final class FencedException extends RuntimeException {
    public FencedException(String message) {
        super(message);
    }

    public FencedException(String message, Throwable cause) {
        super(message, cause);
    }
}
