package io.kickoff.prefetch.bundle;

import io.kickoff.protocol.v1.Bundle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** The bundle store of {@code memory} mode: segment → event → entry, expired lazily. */
public final class InMemoryBundleStore implements BundleStore {
    private record Entry(Bundle bundle, Instant expiresAt) {
    }

    private final Map<String, ConcurrentSkipListMap<String, Entry>> bySegment = new ConcurrentHashMap<>();
    private final Clock clock;

    public InMemoryBundleStore() {
        this(Clock.systemUTC());
    }

    public InMemoryBundleStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Optional<Bundle>> get(String eventId, String segment) {
        Map<String, Entry> events = bySegment.get(segment);
        Entry entry = events == null ? null : events.get(eventId);
        if (entry == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        if (expired(entry)) {
            events.remove(eventId, entry);
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return CompletableFuture.completedFuture(Optional.of(entry.bundle()));
    }

    @Override
    public CompletableFuture<Void> put(Bundle bundle, Duration ttl) {
        BundleStore.checkTtl(ttl);
        bySegment.computeIfAbsent(bundle.getSegment(), s -> new ConcurrentSkipListMap<>())
                .put(bundle.getEventId(), new Entry(bundle, clock.instant().plus(ttl)));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> remove(String eventId, String segment) {
        Map<String, Entry> events = bySegment.get(segment);
        if (events != null) {
            events.remove(eventId);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<List<Bundle>> listBySegment(String segment) {
        Map<String, Entry> events = bySegment.get(segment);
        if (events == null) {
            return CompletableFuture.completedFuture(List.of());
        }
        events.values().removeIf(this::expired);
        return CompletableFuture.completedFuture(events.values().stream()
                .map(Entry::bundle)
                .sorted(Comparator.comparing(Bundle::getEventId))
                .toList());
    }

    private boolean expired(Entry entry) {
        return !clock.instant().isBefore(entry.expiresAt());
    }
}
