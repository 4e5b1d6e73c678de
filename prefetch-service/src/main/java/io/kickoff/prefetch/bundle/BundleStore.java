package io.kickoff.prefetch.bundle;

import io.kickoff.protocol.v1.Bundle;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Materialized bundles by (event, segment), each kept for a TTL. Asynchronous so that a remote
 * implementation never blocks an event loop. Implementations are thread-safe.
 */
public interface BundleStore extends AutoCloseable {

    CompletableFuture<Optional<Bundle>> get(String eventId, String segment);

    /** Stores (or replaces) the bundle under (bundle.event_id, bundle.segment) for {@code ttl}. */
    CompletableFuture<Void> put(Bundle bundle, Duration ttl);

    CompletableFuture<Void> remove(String eventId, String segment);

    /** Every unexpired bundle of the segment, ordered by event id. */
    CompletableFuture<List<Bundle>> listBySegment(String segment);

    @Override
    default void close() {
    }

    static void checkTtl(Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, got " + ttl);
        }
    }
}
