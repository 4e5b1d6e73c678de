package io.kickoff.lsm.store;

import io.kickoff.lsm.event.LeaderLease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The lease of {@code memory} mode, where all contenders live in one JVM. It expires against an injectable clock, so
 * it behaves like the Redis lease (a holder that stops renewing is deposed, the next holder gets a higher fencing
 * token) and tests can move time instead of waiting for it.
 */
public final class InMemoryLeaderLease implements LeaderLease {
    private final Clock clock;
    private String holder;
    private Instant expiresAt = Instant.MIN;
    private long epoch;

    public InMemoryLeaderLease() {
        this(Clock.systemUTC());
    }

    public InMemoryLeaderLease(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized CompletableFuture<Optional<Long>> acquireOrRenew(String nodeId, Duration ttl) {
        Objects.requireNonNull(nodeId, "nodeId");
        if (ttl.isNegative() || ttl.isZero()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("ttl must be positive, not " + ttl));
        }
        Instant now = clock.instant();
        boolean held = holder != null && now.isBefore(expiresAt);
        if (held && !holder.equals(nodeId)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        if (!held) {
            holder = nodeId;
            epoch++;
        }
        expiresAt = now.plus(ttl);
        return CompletableFuture.completedFuture(Optional.of(epoch));
    }

    /** The fencing token of the latest holder (0 before anyone took the lease): what the in-memory store checks. */
    public synchronized long currentEpoch() {
        return epoch;
    }

    @Override
    public synchronized CompletableFuture<Void> release(String nodeId) {
        if (holder != null && holder.equals(nodeId)) {
            holder = null;
            expiresAt = Instant.MIN;
        }
        return CompletableFuture.completedFuture(null);
    }
}
