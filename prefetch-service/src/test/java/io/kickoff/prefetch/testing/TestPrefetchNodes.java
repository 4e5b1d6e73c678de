package io.kickoff.prefetch.testing;

import io.kickoff.bus.EventBus;
import io.kickoff.prefetch.PrefetchService;
import io.kickoff.prefetch.bundle.BundleStore;
import io.kickoff.prefetch.catalog.CatalogBlobStore;
import io.kickoff.prefetch.catalog.CatalogConsumer;
import io.kickoff.prefetch.http.BundleServerConfig;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.testkit.TestResources;
import java.net.URI;
import java.time.Clock;

/**
 * Prefetch nodes for a test: each reads its catalog from the blob store it is given and keeps bundles
 * in the store it is given, on the test's bus, with the bundle API on 127.0.0.1 and a free port; the
 * node, its catalog consumer and its bundle store are closed for the test ({@link TestResources}).
 * <pre>
 *   &#64;RegisterExtension final TestPrefetchNodes prefetch = new TestPrefetchNodes();
 * </pre>
 */
public final class TestPrefetchNodes extends TestResources {
    /** The bundle API's defaults, on 127.0.0.1 and a free port. */
    public static final BundleServerConfig ANY_PORT = BundleServerConfig.defaults().withHost("127.0.0.1").withPort(0);

    /** Starts a node once the catalog announced in {@code blobs} is read. */
    public PrefetchService start(CatalogBlobStore blobs, BundleStore bundles, EventBus bus, DeviceTokens tokens)
            throws InterruptedException {
        CatalogConsumer catalog = closeAfter(CatalogConsumer.open(blobs));
        closeAfter(bundles);
        return closeAfter(PrefetchService.start(ANY_PORT, catalog, bundles, bus, tokens, Clock.systemUTC()));
    }

    /** The bundle API of {@code node}, e.g. for a fleet's {@code bundleApi}. */
    public static URI bundleApi(PrefetchService node) {
        return URI.create("http://127.0.0.1:" + node.port());
    }
}
