package io.kickoff.lsm.api;

import io.kickoff.lsm.event.Commit;
import io.kickoff.lsm.event.EventStore;
import io.kickoff.lsm.event.HistoryEntry;
import io.kickoff.lsm.event.LiveEvent;
import io.kickoff.lsm.event.OutboxEntry;
import io.kickoff.lsm.event.Page;
import io.kickoff.lsm.event.StoreUnavailableException;
import io.kickoff.lsm.event.StoredResponse;
import io.kickoff.protocol.v1.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** A store that works, or fails every call with {@link StoreUnavailableException}, or never answers. */
final class FailingStore implements EventStore {
    enum Mode { UP, DOWN, HANGING }

    private final EventStore delegate;
    volatile Mode mode = Mode.UP;
    /** When set, idempotency lookups find nothing, as for a request racing the first one with its key. */
    volatile boolean blindLookups;
    /** When set, reads of an event wait until it completes (a store that stalls, released by the test). */
    volatile CompletableFuture<Void> heldFinds;
    /** Reads of an event asked for so far. */
    final java.util.concurrent.atomic.AtomicInteger finds = new java.util.concurrent.atomic.AtomicInteger();
    /** Commits and creates asked for so far. */
    final java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();

    FailingStore(EventStore delegate) {
        this.delegate = delegate;
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
    public CompletableFuture<Optional<StoredResponse>> idempotent(String key) {
        return blindLookups ? call(() -> CompletableFuture.completedFuture(Optional.empty())) : call(() -> delegate.idempotent(key));
    }

    @Override
    public CompletableFuture<StoredResponse> rememberIdempotent(String key, StoredResponse response, Duration ttl) {
        return call(() -> delegate.rememberIdempotent(key, response, ttl));
    }

    @Override
    public CompletableFuture<Void> ping() {
        return call(delegate::ping);
    }
}
