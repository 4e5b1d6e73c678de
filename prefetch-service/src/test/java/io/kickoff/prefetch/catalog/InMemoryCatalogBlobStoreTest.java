package io.kickoff.prefetch.catalog;

class InMemoryCatalogBlobStoreTest extends CatalogBlobStoreContract {
    private final InMemoryCatalogBlobStore store = new InMemoryCatalogBlobStore();

    @Override
    CatalogBlobStore store() {
        return store;
    }
}
