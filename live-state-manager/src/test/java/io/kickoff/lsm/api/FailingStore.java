package io.kickoff.lsm.api;

import io.kickoff.lsm.event.Commit;
import io.kickoff.lsm.event.EventStore;
import io.kickoff.lsm.event.HistoryEntry;
import io.kickoff.lsm.event.LiveEvent;
import io.kickoff.lsm.event.OutboxEntry;
import io.kickoff.lsm.event.Page;
import io.kickoff.lsm.event.StoreUnavailableException;
import io.kickoff.lsm.idempotency.Idempotency;
import io.kickoff.lsm.idempotency.InMemoryIdempotency;
import io.kickoff.lsm.idempotency.StoredResponse;
import io.kickoff.protocol.v1.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A store, with its idempotency keys, that works, or fails every call with {@link StoreUnavailableException}, or never
 * answers: as one Redis behind both would.
 */
final class FailingStore implements EventStore, Idempotency {
    enum Mode { UP, DOWN, HANGING }

    private final EventStore delegate;
    private final Idempotency idempotency;
    volatile Mode mode = Mode.UP;
    /** When set, idempotency lookups find nothing, as for a request racing the first one with its key. */
    volatile boolean blindLookups;
    /** When set, reads of an event wait until it completes (a store that stalls, released by the test). */
    volatile CompletableFuture<Void> heldFinds;
    /** Reads of an event asked for so far. */
    final java.util.concurrent.atomic.AtomicInteger finds = new java.util.concurrent.atomic.AtomicInteger();
    /** Commits and creates asked for so far. */
    final java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();

    FailingStore(EventStore delegate, Idempotency idempotency) {
        this.delegate = delegate;
        this.idempotency = idempotency;
    }

    /** Over the in-memory store and idempotency keys of this module, on {@code clock}. */
    static FailingStore inMemory(java.time.Clock clock) {
        return new FailingStore(AdminApiFixture.memoryStore(clock), new InMemoryIdempotency(clock));
    }

    private <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> work) {
        return switch (mode) {
            case UP -> work.get();
            case DOWN -> CompletableFuture.failedFuture(new StoreUnavailableException("store down (test)", null));
            case HANGING -> new CompletableFuture<>();
        };
    }

    @Override
    public CompletableFuture<Optional<LiveEvent>> find(String id) {
        finds.incrementAndGet();
        CompletableFuture<Void> held = heldFinds;
        if (held != null) {
            return held.thenCompose(v -> call(() -> delegate.find(id)));
        }
        return call(() -> delegate.find(id));
    }

    @Override
    public CompletableFuture<Page<LiveEvent>> list(Optional<Stage> stage, String cursor, int limit) {
        return call(() -> delegate.list(stage, cursor, limit));
    }

    @Override
    public CompletableFuture<LiveEvent> create(LiveEvent event, HistoryEntry created) {
        writes.incrementAndGet();
        return call(() -> delegate.create(event, created));
    }

    @Override
    public CompletableFuture<LiveEvent> commit(Commit commit) {
        writes.incrementAndGet();
        return call(() -> delegate.commit(commit));
    }

    @Override
    public CompletableFuture<List<HistoryEntry>> history(String id) {
        return call(() -> delegate.history(id));
    }

    @Override
    public CompletableFuture<List<String>> due(Instant now, int limit) {
        return call(() -> delegate.due(now, limit));
    }

    @Override
    public CompletableFuture<List<OutboxEntry>> outbox(int limit) {
        return call(() -> delegate.outbox(limit));
    }

    @Override
    public CompletableFuture<Void> removeFromOutbox(List<OutboxEntry> published, long fencingToken) {
        return call(() -> delegate.removeFromOutbox(published, fencingToken));
    }

    @Override
    public CompletableFuture<OutboxStats> outboxStats() {
        return call(delegate::outboxStats);
    }

    @Override
    public CompletableFuture<Optional<StoredResponse>> lookup(String key) {
        return blindLookups ? call(() -> CompletableFuture.completedFuture(Optional.empty())) : call(() -> idempotency.lookup(key));
    }

    @Override
    public CompletableFuture<StoredResponse> remember(String key, StoredResponse response, Duration ttl) {
        return call(() -> idempotency.remember(key, response, ttl));
    }

    @Override
    public CompletableFuture<Void> ping() {
        return call(delegate::ping);
    }
}
