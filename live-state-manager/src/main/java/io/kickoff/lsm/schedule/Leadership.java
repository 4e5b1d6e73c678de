package io.kickoff.lsm.schedule;

import io.kickoff.lsm.event.LeaderLease;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this instance leads (fires timers, relays the outbox). It renews its lease at a third
 * of the lease's time-to-live; a renewal that fails or does not answer in time counts as a loss,
 * so an instance cut off from the store stops leading before its lease can expire elsewhere.
 *
 * <p>An instance that learns it has been deposed (the bus fenced its relay, or the store refused its
 * fencing token) {@link #stepDown() steps down}: it gives the lease up and does not lead again under
 * the same fencing token, so whoever leads next — another instance or this one — starts a new term
 * with a new token and claims the relay anew.
 */
public final class Leadership {
    private static final Logger log = LoggerFactory.getLogger(Leadership.class);

    private final LeaderLease lease;
    private final String nodeId;
    private final Duration ttl;
    private volatile boolean leading;
    private volatile long fencingToken = -1;
    private volatile long leadingUntilNanos;
    /** The token this instance stepped down from; a renewal that returns it is given up again. */
    private volatile long resignedToken = -1;
    /** Completed when this instance becomes the leader; a new one once it has stopped leading. */
    private volatile CompletableFuture<Void> leads = new CompletableFuture<>();
    private volatile boolean stopped;

    public Leadership(LeaderLease lease, String nodeId, Duration ttl) {
        this.lease = lease;
        this.nodeId = nodeId;
        this.ttl = ttl;
    }

    public String nodeId() {
        return nodeId;
    }

    /** True while this instance holds an unexpired lease. */
    public boolean isLeader() {
        return leading && System.nanoTime() < leadingUntilNanos;
    }

    /**
     * Completes once this instance leads (at once if it does, as of its last renewal); fails if it
     * {@link #stop() stops} first. Lets a caller wait for leadership instead of polling {@link #isLeader()}.
     */
    public CompletableFuture<Void> whenLeader() {
        return leads;
    }

    /** This instance stops: a pending {@link #whenLeader()} fails, and it does not lead again. */
    public void stop() {
        stopped = true;
        leading = false;
        leads.completeExceptionally(new IllegalStateException(nodeId + " stopped"));
    }

    public long fencingToken() {
        return fencingToken;
    }

    /** How often {@link #renew()} should run. */
    public Duration renewEvery() {
        return ttl.dividedBy(3);
    }

    /** One renewal round; call every {@link #renewEvery()}. Never throws. */
    public void renew() {
        if (stopped) {
            return;
        }
        long started = System.nanoTime();
        Optional<Long> token;
        try {
            token = lease.acquireOrRenew(nodeId, ttl).get(renewEvery().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            token = Optional.empty();
        } catch (Exception e) {
            token = Optional.empty();
            if (leading) {
                log.warn("{} could not renew its leader lease: {}", nodeId, e.toString());
            }
        }
        boolean was = leading;
        if (token.isPresent() && token.get() == resignedToken) {
            // We stepped down under this token, but the release did not get through: give it up again.
            notLeading();
            lease.release(nodeId);
            return;
        }
        if (token.isPresent()) {
            fencingToken = token.get();
            // The lease runs from when we asked, not from when the answer came.
            leadingUntilNanos = started + ttl.toNanos();
            leading = true;
            if (!was) {
                log.info("{} is now the leader (fencing token {})", nodeId, fencingToken);
            }
            leads.complete(null);
        } else {
            notLeading();
            if (was) {
                log.warn("{} is no longer the leader", nodeId);
            }
        }
    }

    /**
     * Stops leading at once, because this instance has been deposed (or its term can no longer be trusted), and gives
     * the lease up if it still holds it. Never throws; the release is not waited for.
     */
    void stepDown(String why) {
        long token = fencingToken;
        resignedToken = token;
        notLeading();
        log.warn("{} steps down as leader (fencing token {}): {}", nodeId, token, why);
        try {
            lease.release(nodeId);
        } catch (RuntimeException e) {
            // The next renewal gives it up again (resignedToken), or the lease expires.
        }
    }

    /** Gives the lease up (on a clean shutdown), so another instance takes over at once. */
    public CompletableFuture<Void> release() {
        notLeading();
        return lease.release(nodeId);
    }

    private void notLeading() {
        leading = false;
        if (leads.isDone() && !stopped) {
            leads = new CompletableFuture<>();
        }
    }
}
