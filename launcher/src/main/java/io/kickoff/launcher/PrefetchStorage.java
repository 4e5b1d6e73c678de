package io.kickoff.launcher;

import io.kickoff.prefetch.bundle.BundleStore;
import io.kickoff.prefetch.bundle.CachedBundleStore;
import io.kickoff.prefetch.bundle.InMemoryBundleStore;
import io.kickoff.prefetch.bundle.RedisBundleStore;
import io.kickoff.prefetch.catalog.CatalogBlobStore;
import io.kickoff.prefetch.catalog.CatalogConsumer;

/**
 * Where a prefetch node reads its catalog and keeps its bundles: the catalog from the blob store it is given, bundles in
 * Redis behind a Caffeine cache when there is a Redis (shared by several nodes), in memory otherwise.
 */
record PrefetchStorage(CatalogConsumer catalog, BundleStore bundles) implements AutoCloseable {

    static PrefetchStorage open(CatalogBlobStore catalogBlobs, String redisUri) {
        CatalogConsumer catalog = CatalogConsumer.open(catalogBlobs);
        try {
            BundleStore bundles = redisUri == null || redisUri.isBlank() ? new InMemoryBundleStore()
                    : new CachedBundleStore(RedisBundleStore.connect(redisUri, "kickoff:bundles"),
                            CachedBundleStore.Config.defaults());
            return new PrefetchStorage(catalog, bundles);
        } catch (RuntimeException e) {
            catalog.close();
            throw e;
        }
    }

    boolean durable() {
        return bundles instanceof CachedBundleStore;
    }

    @Override
    public void close() {
        catalog.close();
        bundles.close();
    }
}
