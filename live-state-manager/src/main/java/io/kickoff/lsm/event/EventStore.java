package io.kickoff.lsm.event;

import io.kickoff.protocol.v1.Stage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Durable home of live events, their history, their timers and the outbox of stage updates.
 * Every call is asynchronous so that no Netty event loop ever waits on storage; a store that
 * cannot be reached fails its futures with {@link StoreUnavailableException}.
 */
public interface EventStore {

    CompletableFuture<Optional<LiveEvent>> find(String id);

    /** Events ordered by id, optionally only those in {@code stage}; {@code cursor} from the previous page or empty. */
    CompletableFuture<Page<LiveEvent>> list(Optional<Stage> stage, String cursor, int limit);

    /** Stores a new event with its first history line; fails with {@link EventExistsException} if the id is taken. */
    CompletableFuture<LiveEvent> create(LiveEvent event, HistoryEntry created);

    /**
     * Writes a change atomically if the stored version is still {@code commit.expectedVersion()};
     * fails with {@link VersionConflictException} otherwise, {@link UnknownEventException} if there is no such event,
     * and {@link DeposedLeaderException} (writing nothing) if the commit carries a fencing token older than the leader
     * lease's current one.
     */
    CompletableFuture<LiveEvent> commit(Commit commit);

    /** Every history line of the event, oldest first. */
    CompletableFuture<List<HistoryEntry>> history(String id);

    /** Ids of events whose next timer is at or before {@code now}, soonest first. */
    CompletableFuture<List<String>> due(Instant now, int limit);

    /** The oldest outbox entries, in the order they were written. */
    CompletableFuture<List<OutboxEntry>> outbox(int limit);

    /**
     * Removes published entries; only the leader does this. Fails with {@link DeposedLeaderException}, removing
     * nothing, if {@code fencingToken} is older than the leader lease's current one.
     */
    CompletableFuture<Void> removeFromOutbox(List<OutboxEntry> published, long fencingToken);

    /** Outbox depth and the enqueue time of its oldest entry (empty if none). */
    CompletableFuture<OutboxStats> outboxStats();

    /** Completes if the store answers. */
    CompletableFuture<Void> ping();

    record OutboxStats(long depth, Optional<Instant> oldest) {
    }
}
