package io.kickoff.prefetch;

import io.kickoff.bus.EventBus;
import io.kickoff.prefetch.bundle.BundleStore;
import io.kickoff.prefetch.bundle.Materializer;
import io.kickoff.prefetch.catalog.CatalogConsumer;
import io.kickoff.prefetch.catalog.CatalogView;
import io.kickoff.prefetch.http.BundleServer;
import io.kickoff.prefetch.http.BundleServerConfig;
import io.kickoff.prefetch.http.Jitter;
import io.kickoff.prefetch.push.BundlePush;
import io.kickoff.prefetch.push.BusAudienceFeed;
import io.kickoff.prefetch.push.PushPacing;
import io.kickoff.prefetch.push.PushPriorities;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.http.NodeMeters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One prefetch node: the materializer, the push of bundles on {@code kickoff.bundles} and the bundle HTTP API, over a
 * catalog consumer and a bundle store it is given. Which stores (a blob directory or memory, Redis or memory) is the
 * caller's choice, made in one wiring place as for the Live State Manager; the caller also closes them.
 */
public final class PrefetchService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PrefetchService.class);

    private final CatalogConsumer catalog;
    private final BundlePush push;
    private final BundleServer server;
    private final NodeMeters meters;
    private final int port;

    private final BusAudienceFeed audience;

    private PrefetchService(CatalogConsumer catalog, BusAudienceFeed audience, BundlePush push, BundleServer server,
                            NodeMeters meters, int port) {
        this.audience = audience;
        this.meters = meters;
        this.catalog = catalog;
        this.push = push;
        this.server = server;
        this.port = port;
    }

    /** The node label of a node started without a name. */
    public static final String DEFAULT_NODE_ID = "prefetch-1";

    /** The catalog version while none has been announced. */
    private static final long NO_CATALOG = Long.MIN_VALUE;

    /**
     * Loads the catalog's announced version (if any), catches up with the bus and starts the bundle API.
     *
     * @param server  the bundle API's address, port and limits
     * @param catalog the catalog consumer, not refreshed yet: the node listens to it before its first load
     * @param store   where bundles are kept
     * @throws IllegalStateException if the announced catalog cannot be read (the service is not started)
     */
    public static PrefetchService start(BundleServerConfig server, CatalogConsumer catalog, BundleStore store,
                                        EventBus bus, DeviceTokens tokens, Clock clock) throws InterruptedException {
        return start(server, catalog, store, bus, tokens, clock, DEFAULT_NODE_ID);
    }

    /** As above, {@code nodeId} naming this node in its metrics (the {@code node} label). */
    public static PrefetchService start(BundleServerConfig server, CatalogConsumer catalog, BundleStore store,
                                        EventBus bus, DeviceTokens tokens, Clock clock, String nodeId)
            throws InterruptedException {
        return start(server, catalog, store, bus, tokens, clock, nodeId, PushPacing.defaults());
    }

    /**
     * As above, {@code pacing} saying how the push of an event's bundles is ordered and paced: by the audience observed
     * on the bus's {@code kickoff.audience}, else {@code pacing}'s estimate, else in equal shares.
     */
    public static PrefetchService start(BundleServerConfig server, CatalogConsumer catalog, BundleStore store,
                                        EventBus bus, DeviceTokens tokens, Clock clock, String nodeId,
                                        PushPacing pacing) throws InterruptedException {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(pacing, "pacing");
        NodeMeters meters = NodeMeters.forNode(nodeId);
        BusAudienceFeed audience;
        try {
            audience = new BusAudienceFeed(bus);
        } catch (RuntimeException e) {
            meters.close();
            throw e;
        }
        BundlePush push = new BundlePush(bus, store, new Materializer(), catalog::view, clock,
                new PushPriorities(audience, pacing, clock, meters.registry()));
        // A new catalog version re-materializes the bundles whose inputs changed (pushed only if their content differs).
        catalog.addListener((change, view) -> push.onCatalogChanged(change));
        try {
            catalog.refresh();
        } catch (RuntimeException e) {
            push.close();
            audience.close();
            meters.close();
            throw new IllegalStateException("cannot read the catalog announced in " + catalog.store().describe() + ": "
                    + rootMessage(e), e);
        }
        CompletableFuture<Void> caughtUp = push.start();
        if (store instanceof MeterBinder cache) {
            cache.bindTo(meters.registry());
        }
        Gauge.builder("kickoff_prefetch_catalog_version", () -> catalog.version() == NO_CATALOG ? -1 : catalog.version())
                .description("version of the catalog this node serves (-1: none announced yet)").register(meters.registry());
        BundleServer api;
        int port;
        try {
            // Unusable TLS files end the start here (TlsFileException), with the push closed below.
            api = new BundleServer(server, store, tokens,
                    segment -> catalog.view().segment(segment).isPresent(),
                    () -> caughtUp.isDone() && catalog.version() != NO_CATALOG && bus.isAvailable(),
                    meters.registry(), Jitter.random());
            port = api.start();
        } catch (RuntimeException | InterruptedException e) {
            push.close();
            audience.close();
            meters.close();
            throw e;
        }
        PrefetchService service = new PrefetchService(catalog, audience, push, api, meters, port);
        if (catalog.version() == NO_CATALOG) {
            log.warn("prefetch service on port {}: not ready, {}", port, service.notReadyReason().orElseThrow());
        } else {
            log.info("prefetch service on port {}: catalog version {} from {}", port, catalog.version(),
                    catalog.store().describe());
        }
        return service;
    }

    /** The innermost cause's message: Hollow wraps what went wrong (a truncated blob, an unreadable file). */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    public int port() {
        return port;
    }

    /** Segment ids of the current catalog. */
    public List<String> segments() {
        return catalog.view().segments().stream().map(CatalogView.Segment::id).toList();
    }

    /** "catalog version V", or that none has been announced in the store yet (the node waits for one). */
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
                : Optional.of("no catalog announced in " + catalog.store().describe() + " yet: "
                        + catalog.store().howToPublish());
    }

    /** Stops the API, the push and its audience feed; the catalog consumer and the bundle store are the caller's to close. */
    @Override
    public void close() {
        server.close();
        push.close();
        audience.close();
        meters.close();
    }
}
