package io.kickoff.prefetch;

import io.kickoff.bus.EventBus;
import io.kickoff.prefetch.bundle.BundleStore;
import io.kickoff.prefetch.bundle.CachedBundleStore;
import io.kickoff.prefetch.bundle.InMemoryBundleStore;
import io.kickoff.prefetch.bundle.Materializer;
import io.kickoff.prefetch.bundle.RedisBundleStore;
import io.kickoff.prefetch.catalog.CatalogConsumer;
import io.kickoff.prefetch.http.BundleServer;
import io.kickoff.prefetch.http.BundleServerConfig;
import io.kickoff.prefetch.http.Jitter;
import io.kickoff.prefetch.push.BundlePush;
import io.kickoff.protocol.token.DeviceTokens;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One prefetch node, wired: the catalog consumer following the blob directory, the materializer
 * and bundle store, the push of bundles on {@code kickoff.bundles}, and the bundle HTTP API.
 */
public final class PrefetchService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PrefetchService.class);

    /**
     * @param catalogDir the catalog's blob directory (snapshots, deltas, announced version)
     * @param server     the bundle API's address, port and limits
     * @param redisUri   Redis for bundles shared by several nodes (behind a Caffeine cache), or null: memory
     */
    public record Config(Path catalogDir, BundleServerConfig server, String redisUri) {
        public Config {
            Objects.requireNonNull(catalogDir, "catalogDir");
            Objects.requireNonNull(server, "server");
        }
    }

    private final CatalogConsumer catalog;
    private final BundleStore store;
    private final BundlePush push;
    private final BundleServer server;
    private final int port;
    private final Path catalogDir;

    private PrefetchService(CatalogConsumer catalog, BundleStore store, BundlePush push, BundleServer server, int port,
                            Path catalogDir) {
        this.catalog = catalog;
        this.store = store;
        this.push = push;
        this.server = server;
        this.port = port;
        this.catalogDir = catalogDir;
    }

    /** The catalog version while none has been announced. */
    private static final long NO_CATALOG = Long.MIN_VALUE;

    public static PrefetchService start(Config config, EventBus bus, DeviceTokens tokens, Clock clock)
            throws InterruptedException {
        // Hollow's retriever would create a missing directory and the node would wait on it forever: most likely a
        // typo, so refuse it in words.
        if (!Files.isDirectory(config.catalogDir())) {
            throw new IllegalArgumentException("catalog directory " + config.catalogDir() + " does not exist: publish a "
                    + "catalog there first (kickoff catalog publish --dir " + config.catalogDir() + " ...)");
        }
        CatalogConsumer catalog = CatalogConsumer.open(config.catalogDir());
        BundleStore store = config.redisUri() == null ? new InMemoryBundleStore()
                : new CachedBundleStore(RedisBundleStore.connect(config.redisUri(), "kickoff:bundles"),
                        CachedBundleStore.Config.defaults());
        BundlePush push = new BundlePush(bus, store, new Materializer(), catalog::view, clock);
        // A new catalog version re-materializes the bundles whose inputs changed (pushed only if their content differs).
        catalog.addListener((change, view) -> push.onCatalogChanged(change));
        catalog.refresh();
        CompletableFuture<Void> caughtUp = push.start();
        BundleServer server = new BundleServer(config.server(), store, tokens,
                segment -> catalog.view().segment(segment).isPresent(),
                () -> caughtUp.isDone() && catalog.version() != NO_CATALOG && bus.isAvailable(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Jitter.random());
        int port = server.start();
        PrefetchService service = new PrefetchService(catalog, store, push, server, port, config.catalogDir());
        if (catalog.version() == NO_CATALOG) {
            log.warn("prefetch service on port {}: not ready, {}", port, service.notReadyReason().orElseThrow());
        } else {
            log.info("prefetch service on port {}: catalog version {} from {}", port, catalog.version(), config.catalogDir());
        }
        return service;
    }

    public int port() {
        return port;
    }

    /** Segment ids of the current catalog. */
    public java.util.List<String> segments() {
        return catalog.view().segments().stream().map(io.kickoff.prefetch.catalog.CatalogView.Segment::id).toList();
    }

    /** "catalog version V", or that none has been announced in the directory yet (the node waits for one). */
    public String describeCatalog() {
        long version = catalog.version();
        return version == NO_CATALOG ? "no catalog announced yet (waiting for one)" : "catalog version " + version;
    }

    /**
     * Why {@code /readyz} says not ready for want of a catalog, or empty once one is loaded: with no catalog there is
     * no segment to materialize bundles for.
     */
    public Optional<String> notReadyReason() {
        return catalog.version() != NO_CATALOG ? Optional.empty()
                : Optional.of("no catalog announced in " + catalogDir + " yet: publish one with kickoff catalog publish "
                        + "--dir " + catalogDir + " (the node loads it within a second)");
    }

    @Override
    public void close() {
        server.close();
        push.close();
        catalog.close();
        store.close();
    }
}
