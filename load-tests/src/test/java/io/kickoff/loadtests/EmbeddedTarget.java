package io.kickoff.loadtests;

import com.sun.net.httpserver.HttpServer;
import io.kickoff.bus.InProcessEventBus;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.api.AdminToken;
import io.kickoff.lsm.event.InMemoryEventStore;
import io.kickoff.lsm.idempotency.InMemoryIdempotency;
import io.kickoff.lsm.store.InMemoryLeaderLease;
import io.kickoff.prefetch.PrefetchService;
import io.kickoff.prefetch.bundle.InMemoryBundleStore;
import io.kickoff.prefetch.catalog.CatalogConsumer;
import io.kickoff.prefetch.catalog.CatalogPublisher;
import io.kickoff.prefetch.catalog.CatalogSource;
import io.kickoff.prefetch.catalog.InMemoryCatalogBlobStore;
import io.kickoff.prefetch.http.BundleServerConfig;
import io.kickoff.protocol.token.DeviceTokens;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * A whole platform in this JVM, in memory, for the simulations' integration test: Live State
 * Manager, three gateway nodes on one in-process bus, and a prefetch node following a synthetic
 * catalog, all on ephemeral ports with the development secrets the simulations default to.
 * <ul>
 *   <li>{@code gateway}: default settings (the broadcast herd, the soak);</li>
 *   <li>{@code throttledGateway}: 10 new connections per second (a burst of 10) and {@code Retry-After} of 1–2 s,
 *       so that a reconnect storm of a few dozen devices meets its admission limits;</li>
 *   <li>{@code drainableGateway}: an ops token and a drain window of 2 s, to be drained by a storm
 *       whose devices move to {@code gateway};</li>
 *   <li>{@code prefetch}: one request in flight for any priority plus 40 that only
 *       {@code critical} may use, so that a burst of a few dozen prefetch requests is shed while a
 *       burst of 20 critical ones never is (at most 21 in flight).</li>
 * </ul>
 * Plus {@code /metrics} with this JVM's heap ({@code jvm_memory_used_bytes{area="heap",id=…}},
 * read right after a collection, so it shows retained memory), which the soak samples.
 */
final class EmbeddedTarget implements AutoCloseable {
    static final String CATALOG_SEGMENTS = "s3,s4";
    static final String OPS_TOKEN = "load-tests-ops";

    private final InProcessEventBus bus = new InProcessEventBus();
    private final LiveStateManager lsm;
    private final Gateway gateway;
    private final Gateway throttledGateway;
    private final Gateway drainableGateway;
    private final CatalogConsumer catalog;
    private final PrefetchService prefetch;
    private final HttpServer metrics;

    EmbeddedTarget() throws InterruptedException, IOException {
        Clock clock = Clock.systemUTC();
        DeviceTokens tokens = DeviceTokens.withSecret(Settings.DEV_TOKEN_SECRET);
        InMemoryLeaderLease lease = new InMemoryLeaderLease();
        lsm = LiveStateManager.start(LiveStateManager.Config.of("127.0.0.1", 0,
                        Map.of(Settings.DEV_ADMIN_TOKEN, AdminToken.operator("load-tests")), "lsm-1"),
                new InMemoryEventStore(clock, lease::currentEpoch), new InMemoryIdempotency(clock), lease, bus, clock);
        gateway = Gateway.start(GatewayConfig.builder().host("127.0.0.1").port(0).nodeId("gateway-1")
                .warmUp(GatewayConfig.WarmUp.OFF).build(), tokens, bus, clock);
        throttledGateway = Gateway.start(GatewayConfig.builder().host("127.0.0.1").port(0).nodeId("gateway-2")
                .maxConnectsPerSecond(10).retryAfter(Duration.ofSeconds(1), Duration.ofSeconds(2))
                .warmUp(GatewayConfig.WarmUp.OFF).build(), tokens, bus, clock);
        drainableGateway = Gateway.start(GatewayConfig.builder().host("127.0.0.1").port(0).nodeId("gateway-3")
                .opsToken(OPS_TOKEN).drainWindow(Duration.ofSeconds(2))
                .warmUp(GatewayConfig.WarmUp.OFF).build(), tokens, bus, clock);
        InMemoryCatalogBlobStore blobs = new InMemoryCatalogBlobStore();
        CatalogPublisher.publish(blobs, CatalogSource.synthetic(2_000, 5, 10));
        catalog = CatalogConsumer.open(blobs);
        prefetch = PrefetchService.start(BundleServerConfig.defaults().withHost("127.0.0.1").withPort(0).withLimits(1, 40),
                catalog, new InMemoryBundleStore(), bus, tokens, clock);
        metrics = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        metrics.createContext("/metrics", exchange -> {
            byte[] body = heapSeries().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        metrics.start();
        gateway.whenReady().join();
        throttledGateway.whenReady().join();
        drainableGateway.whenReady().join();
    }

    private static String heapSeries() {
        System.gc(); // retained memory is what a leak raises; the fixture reads it after a collection
        StringBuilder out = new StringBuilder("# TYPE jvm_memory_used_bytes gauge\n");
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                out.append("jvm_memory_used_bytes{area=\"heap\",id=\"").append(pool.getName()).append("\"} ")
                        .append(pool.getUsage().getUsed()).append('\n');
            }
        }
        return out.toString();
    }

    String gatewayUrl() {
        return "ws://127.0.0.1:" + gateway.port();
    }

    String throttledGatewayUrl() {
        return "ws://127.0.0.1:" + throttledGateway.port();
    }

    String drainableGatewayUrl() {
        return "ws://127.0.0.1:" + drainableGateway.port();
    }

    String adminUrl() {
        return "http://127.0.0.1:" + lsm.adminPort();
    }

    String bundlesUrl() {
        return "http://127.0.0.1:" + prefetch.port();
    }

    String metricsUrl() {
        return "http://127.0.0.1:" + metrics.getAddress().getPort() + "/metrics";
    }

    @Override
    public void close() {
        metrics.stop(0);
        prefetch.close();
        catalog.close();
        drainableGateway.close();
        throttledGateway.close();
        gateway.close();
        lsm.close();
    }
}
