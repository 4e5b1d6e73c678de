package io.kickoff.lsm.event;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Decides which Live State Manager instance fires timers and relays the outbox. A lease held by
 * one node for a time-to-live, renewed while it lives; the fencing token grows with every new
 * holder, so work stamped by a deposed leader can be told apart.
 */
public interface LeaderLease {

    /** Takes the lease if free, or renews it if {@code nodeId} holds it; the fencing token if {@code nodeId} now leads. */
    CompletableFuture<Optional<Long>> acquireOrRenew(String nodeId, Duration ttl);

    /** Gives the lease up if {@code nodeId} holds it. */
    CompletableFuture<Void> release(String nodeId);
}
