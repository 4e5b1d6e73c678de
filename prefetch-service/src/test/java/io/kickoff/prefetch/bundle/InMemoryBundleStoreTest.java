package io.kickoff.prefetch.bundle;

class InMemoryBundleStoreTest extends BundleStoreContract {
    private final InMemoryBundleStore store = new InMemoryBundleStore();

    @Override
    BundleStore store() {
        return store;
    }
}
