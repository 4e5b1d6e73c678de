package io.kickoff.lsm.event;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Durable home of live events. Every call is asynchronous so that no Netty event loop ever
 * waits on storage. Writes are conditional on the version the writer read.
 */
public interface EventStore {

    CompletableFuture<Optional<LiveEvent>> find(String id);

    CompletableFuture<List<LiveEvent>> list();

    /** Stores a new event; fails with {@link EventExistsException} if the id is taken. */
    CompletableFuture<LiveEvent> create(LiveEvent event);

    /**
     * Replaces the event if its stored version is still {@code expectedVersion}; fails with
     * {@link VersionConflictException} otherwise.
     */
    CompletableFuture<LiveEvent> replace(LiveEvent updated, long expectedVersion);
}
