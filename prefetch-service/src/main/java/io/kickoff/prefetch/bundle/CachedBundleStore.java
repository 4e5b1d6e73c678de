package io.kickoff.prefetch.bundle;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.kickoff.protocol.Timestamps;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.kickoff.protocol.v1.Bundle;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A Caffeine cache, bounded by bytes, in front of another store (usually {@link RedisBundleStore}).
 *
 * <ul>
 *   <li>Bundles: weighted by their serialized size; an entry lives for the TTL it was put with, or,
 *       when loaded from the backing store, until the bundle's {@code expires_at}, capped by
 *       {@code maxEntryAge} in both cases (so other nodes' updates are picked up).</li>
 *   <li>Segment listings (what the HTTP API reads on every request) are cached for
 *       {@code listingTtl}, and dropped when this node puts or removes a bundle of the segment.</li>
 * </ul>
 * Writes go to the backing store first, then to the cache.
 */
public final class CachedBundleStore implements BundleStore, MeterBinder {
    /** Settings. {@code maxBytes} bounds bundles and listings together. */
    public record Config(long maxBytes, Duration maxEntryAge, Duration listingTtl) {
        public static Config defaults() {
            return new Config(256L * 1024 * 1024, Duration.ofMinutes(5), Duration.ofSeconds(1));
        }
    }

    private record Timed<V>(V value, long lifetimeNanos) {
    }

    private final BundleStore backing;
    private final Config config;
    private final Clock clock;
    private final Cache<BundleKey, Timed<Bundle>> bundles;
    private final Cache<String, Timed<List<Bundle>>> listings;

    public CachedBundleStore(BundleStore backing, Config config) {
        this(backing, config, Clock.systemUTC(), Ticker.systemTicker(), Runnable::run);
    }

    /** For tests: a controllable clock and ticker, and the executor Caffeine runs maintenance on. */
    public CachedBundleStore(BundleStore backing, Config config, Clock clock, Ticker ticker, Executor executor) {
        this.backing = backing;
        this.config = config;
        this.clock = clock;
        long maxAge = config.maxEntryAge().toNanos();
        this.bundles = Caffeine.newBuilder()
                .maximumWeight(config.maxBytes())
                .<BundleKey, Timed<Bundle>>weigher((k, v) -> weight(v.value()))
                .expireAfter(lifetime())
                .ticker(ticker)
                .executor(executor)
                .recordStats()
                .build();
        this.listings = Caffeine.newBuilder()
                .maximumWeight(Math.max(1, config.maxBytes() / 4))
                .<String, Timed<List<Bundle>>>weigher((k, v) -> v.value().stream().mapToInt(CachedBundleStore::weight).sum())
                .expireAfter(lifetime())
                .ticker(ticker)
                .executor(executor)
                .recordStats()
                .build();
        if (maxAge <= 0) {
            throw new IllegalArgumentException("maxEntryAge must be positive");
        }
    }

    /** The caches' size, hits, misses and evictions: {@code cache_*{cache="prefetch_bundles"|"prefetch_listings"}}. */
    @Override
    public void bindTo(MeterRegistry registry) {
        CaffeineCacheMetrics.monitor(registry, bundles, "prefetch_bundles");
        CaffeineCacheMetrics.monitor(registry, listings, "prefetch_listings");
    }

    private static <K, V> Expiry<K, Timed<V>> lifetime() {
        return new Expiry<>() {
            @Override
            public long expireAfterCreate(K key, Timed<V> value, long currentTime) {
                return value.lifetimeNanos();
            }

            @Override
            public long expireAfterUpdate(K key, Timed<V> value, long currentTime, long currentDuration) {
                return value.lifetimeNanos();
            }

            @Override
            public long expireAfterRead(K key, Timed<V> value, long currentTime, long currentDuration) {
                return currentDuration;
            }
        };
    }

    private static int weight(Bundle bundle) {
        return bundle.getSerializedSize() + 64;
    }

    private long capped(Duration d) {
        return Math.max(1, Math.min(d.toNanos(), config.maxEntryAge().toNanos()));
    }

    @Override
    public CompletableFuture<Optional<Bundle>> get(String eventId, String segment) {
        BundleKey key = new BundleKey(eventId, segment);
        Timed<Bundle> cached = bundles.getIfPresent(key);
        if (cached != null) {
            return CompletableFuture.completedFuture(Optional.of(cached.value()));
        }
        return backing.get(eventId, segment).thenApply(found -> {
            found.ifPresent(b -> {
                Duration left = b.hasExpiresAt()
                        ? Duration.between(clock.instant(), Timestamps.toInstant(b.getExpiresAt()))
                        : config.maxEntryAge();
                if (!left.isNegative() && !left.isZero()) {
                    bundles.put(key, new Timed<>(b, capped(left)));
                }
            });
            return found;
        });
    }

    @Override
    public CompletableFuture<Void> put(Bundle bundle, Duration ttl) {
        BundleStore.checkTtl(ttl);
        BundleKey key = BundleKey.of(bundle);
        return backing.put(bundle, ttl).thenRun(() -> {
            bundles.put(key, new Timed<>(bundle, capped(ttl)));
            listings.invalidate(bundle.getSegment());
        });
    }

    @Override
    public CompletableFuture<Void> remove(String eventId, String segment) {
        return backing.remove(eventId, segment).thenRun(() -> {
            bundles.invalidate(new BundleKey(eventId, segment));
            listings.invalidate(segment);
        });
    }

    @Override
    public CompletableFuture<List<Bundle>> listBySegment(String segment) {
        Timed<List<Bundle>> cached = listings.getIfPresent(segment);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached.value());
        }
        return backing.listBySegment(segment).thenApply(list -> {
            List<Bundle> copy = List.copyOf(list);
            listings.put(segment, new Timed<>(copy, capped(config.listingTtl())));
            return copy;
        });
    }

    /** Estimated bytes held by the bundle cache, for metrics. */
    long weightedBytes() {
        return bundles.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
    }

    /** Runs pending evictions now (tests). */
    public void cleanUp() {
        bundles.cleanUp();
        listings.cleanUp();
    }

    @Override
    public void close() {
        backing.close();
    }
}
