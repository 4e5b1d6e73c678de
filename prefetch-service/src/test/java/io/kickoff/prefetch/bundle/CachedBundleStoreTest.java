package io.kickoff.prefetch.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.protocol.v1.Bundle;
import io.kickoff.protocol.v1.Rendering;
import io.kickoff.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CachedBundleStoreTest {

    /** The contract holds with the cache in front of the in-memory store. */
    @Nested
    class Contract extends BundleStoreContract {
        private final CachedBundleStore store = new CachedBundleStore(new InMemoryBundleStore(),
                new CachedBundleStore.Config(1 << 20, Duration.ofMinutes(5), Duration.ofMillis(1)));

        @Override
        BundleStore store() {
            return store;
        }
    }

    /** Counts what reaches the backing store. */
    static final class Counting implements BundleStore {
        final InMemoryBundleStore inner = new InMemoryBundleStore();
        final AtomicInteger gets = new AtomicInteger();
        final AtomicInteger lists = new AtomicInteger();

        @Override
        public CompletableFuture<Optional<Bundle>> get(String eventId, String segment) {
            gets.incrementAndGet();
            return inner.get(eventId, segment);
        }

        @Override
        public CompletableFuture<Void> put(Bundle bundle, Duration ttl) {
            return inner.put(bundle, ttl);
        }

        @Override
        public CompletableFuture<Void> remove(String eventId, String segment) {
            return inner.remove(eventId, segment);
        }

        @Override
        public CompletableFuture<List<Bundle>> listBySegment(String segment) {
            lists.incrementAndGet();
            return inner.listBySegment(segment);
        }
    }

    /** Wall clock and Caffeine's ticker in one, moved together. */
    final MutableClock clock = new MutableClock(Instant.parse("2030-06-01T18:00:00Z"));
    final Counting backing = new Counting();

    CachedBundleStore cache(long maxBytes) {
        return new CachedBundleStore(backing, new CachedBundleStore.Config(maxBytes, Duration.ofMinutes(5),
                Duration.ofSeconds(1)), clock, clock::nanos, Runnable::run);
    }

    static Bundle bundle(String eventId, int payloadBytes) {
        return Bundle.newBuilder().setEventId(eventId).setSegment("s").setVersion("v")
                .putStages("LIVE", Rendering.newBuilder().setRowTitle("x".repeat(payloadBytes)).build()).build();
    }

    @Test
    void servesHitsWithoutTouchingTheBackingStore() {
        CachedBundleStore store = cache(1 << 20);
        store.put(bundle("ev-1", 10), Duration.ofMinutes(1)).join();
        for (int i = 0; i < 5; i++) {
            assertThat(store.get("ev-1", "s").join()).isPresent();
        }
        assertThat(backing.gets).hasValue(0);
    }

    @Test
    void loadsMissesFromTheBackingStoreOnce() {
        backing.inner.put(bundle("ev-1", 10), Duration.ofMinutes(1)).join();
        CachedBundleStore store = cache(1 << 20);
        assertThat(store.get("ev-1", "s").join()).isPresent();
        assertThat(store.get("ev-1", "s").join()).isPresent();
        // Loaded bundles have no expires_at here: they are cached for maxEntryAge.
        assertThat(backing.gets).hasValue(1);
    }

    @Test
    void boundsTheCacheByBytes() {
        CachedBundleStore store = cache(10_000);
        for (int i = 0; i < 20; i++) {
            store.put(bundle("ev-" + i, 1_000), Duration.ofMinutes(1)).join();
        }
        store.cleanUp();
        assertThat(store.weightedBytes()).isLessThanOrEqualTo(10_000);
        // Everything is still in the backing store.
        for (int i = 0; i < 20; i++) {
            assertThat(store.get("ev-" + i, "s").join()).isPresent();
        }
        assertThat(backing.gets.get()).isPositive();
    }

    @Test
    void entriesExpireWithTheirTtl() {
        CachedBundleStore store = cache(1 << 20);
        store.put(bundle("ev-1", 10), Duration.ofSeconds(30)).join();
        clock.advance(Duration.ofSeconds(31));
        store.get("ev-1", "s").join();
        assertThat(backing.gets).hasValue(1);
    }

    @Test
    void cachesListingsBrieflyAndDropsThemOnPut() {
        CachedBundleStore store = cache(1 << 20);
        store.put(bundle("ev-1", 10), Duration.ofMinutes(1)).join();
        assertThat(store.listBySegment("s").join()).hasSize(1);
        assertThat(store.listBySegment("s").join()).hasSize(1);
        assertThat(backing.lists).hasValue(1);

        store.put(bundle("ev-2", 10), Duration.ofMinutes(1)).join();
        assertThat(store.listBySegment("s").join()).hasSize(2);
        assertThat(backing.lists).hasValue(2);

        clock.advance(Duration.ofSeconds(2));
        store.listBySegment("s").join();
        assertThat(backing.lists).hasValue(3);
    }
}
