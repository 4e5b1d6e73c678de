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
 */
public final class Leadership {
    private static final Logger log = LoggerFactory.getLogger(Leadership.class);

    private final LeaderLease lease;
    private final String nodeId;
    private final Duration ttl;
    private volatile boolean leading;
    private volatile long fencingToken = -1;
    private volatile long leadingUntilNanos;

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

    public long fencingToken() {
        return fencingToken;
    }

    /** How often {@link #renew()} should run. */
    public Duration renewEvery() {
        return ttl.dividedBy(3);
    }

    /** One renewal round; call every {@link #renewEvery()}. Never throws. */
    public void renew() {
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
        if (token.isPresent()) {
            fencingToken = token.get();
            // The lease runs from when we asked, not from when the answer came.
            leadingUntilNanos = started + ttl.toNanos();
            leading = true;
            if (!was) {
                log.info("{} is now the leader (fencing token {})", nodeId, fencingToken);
            }
        } else {
            leading = false;
            if (was) {
                log.warn("{} is no longer the leader", nodeId);
            }
        }
    }

    /** Gives the lease up (on a clean shutdown), so another instance takes over at once. */
    public CompletableFuture<Void> release() {
        leading = false;
        return lease.release(nodeId);
    }
}
