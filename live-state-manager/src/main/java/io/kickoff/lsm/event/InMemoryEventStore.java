package io.kickoff.lsm.event;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The store of {@code memory} mode: one JVM, nothing survives a restart. */
public final class InMemoryEventStore implements EventStore {
    private final ConcurrentMap<String, LiveEvent> events = new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<Optional<LiveEvent>> find(String id) {
        return CompletableFuture.completedFuture(Optional.ofNullable(events.get(id)));
    }

    @Override
    public CompletableFuture<List<LiveEvent>> list() {
        return CompletableFuture.completedFuture(
                events.values().stream().sorted(Comparator.comparing(LiveEvent::id)).toList());
    }

    @Override
    public CompletableFuture<LiveEvent> create(LiveEvent event) {
        if (events.putIfAbsent(event.id(), event) != null) {
            return CompletableFuture.failedFuture(new EventExistsException(event.id()));
        }
        return CompletableFuture.completedFuture(event);
    }

    @Override
    public CompletableFuture<LiveEvent> replace(LiveEvent updated, long expectedVersion) {
        LiveEvent[] seen = new LiveEvent[1];
        LiveEvent result = events.computeIfPresent(updated.id(), (id, current) -> {
            seen[0] = current;
            return current.version() == expectedVersion ? updated : current;
        });
        if (result == null) {
            return CompletableFuture.failedFuture(new UnknownEventException(updated.id()));
        }
        if (result != updated) {
            return CompletableFuture.failedFuture(
                    new VersionConflictException(updated.id(), expectedVersion, seen[0].version()));
        }
        return CompletableFuture.completedFuture(updated);
    }
}
