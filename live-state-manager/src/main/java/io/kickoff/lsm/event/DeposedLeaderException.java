package io.kickoff.lsm.event;

/**
 * A write that only the leader may make (a timer firing, an outbox acknowledgement) carried a fencing token older
 * than the lease's current one: another instance has taken the lease since, so this one is deposed. Nothing was
 * written.
 */
public final class DeposedLeaderException extends RuntimeException {
    private final long token;
    private final long current;

    public DeposedLeaderException(long token, long current) {
        super("fencing token " + token + " is stale: the leader lease is at " + current);
        this.token = token;
        this.current = current;
    }

    public long token() {
        return token;
    }

    public long current() {
        return current;
    }
}
