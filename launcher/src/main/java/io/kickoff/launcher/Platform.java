package io.kickoff.launcher;

import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.http.TlsFiles;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.api.AdminToken;
import io.kickoff.prefetch.PrefetchService;
import io.kickoff.prefetch.catalog.CatalogBlobStore;
import io.kickoff.prefetch.http.BundleServerConfig;
import io.kickoff.protocol.token.DeviceTokens;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The whole platform on one node: bus, Live State Manager, gateway and prefetch node, wired for a mode. */
final class Platform implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Platform.class);
    /** A gateway on Kafka reads the state of the world before it takes devices; a cold broker can be slow. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final Infrastructure infrastructure;
    private final LsmStorage storage;
    private final LiveStateManager lsm;
    private final Gateway gateway;
    private final PrefetchStorage prefetchStorage;
    private final PrefetchService prefetch;
    private final ExampleCatalog exampleCatalog;
    private final DeviceTokens tokens;
    private final Optional<TlsFiles> tls;

    private Platform(Infrastructure infrastructure, LsmStorage storage, LiveStateManager lsm, Gateway gateway,
                     PrefetchStorage prefetchStorage, PrefetchService prefetch, ExampleCatalog exampleCatalog,
                     DeviceTokens tokens, Optional<TlsFiles> tls) {
        this.tls = tls;
        this.infrastructure = infrastructure;
        this.storage = storage;
        this.lsm = lsm;
        this.gateway = gateway;
        this.prefetchStorage = prefetchStorage;
        this.prefetch = prefetch;
        this.exampleCatalog = exampleCatalog;
        this.tokens = tokens;
    }

    /** Starts everything and returns once the gateway accepts devices. */
    static Platform start(PlatformOptions options) throws InterruptedException {
        return start(options, GatewayConfig.WarmUp.DEFAULT);
    }

    /** Starts everything with the given gateway warm-up ({@link GatewayConfig.WarmUp#OFF}: none). */
    static Platform start(PlatformOptions options, GatewayConfig.WarmUp warmUp) throws InterruptedException {
        return start(options, warmUp, Optional.empty());
    }

    /** As {@link #start(PlatformOptions, GatewayConfig.WarmUp)}; with {@code tls}, all three listeners speak TLS. */
    static Platform start(PlatformOptions options, GatewayConfig.WarmUp warmUp, Optional<TlsFiles> tls)
            throws InterruptedException {
        Clock clock = Clock.systemUTC();
        DeviceTokens tokens = DeviceTokens.withSecret(options.tokenSecret);
        Infrastructure infrastructure = Infrastructure.start(options);
        LiveStateManager lsm = null;
        Gateway gateway = null;
        LsmStorage storage = null;
        ExampleCatalog exampleCatalog = null;
        PrefetchStorage prefetchStorage = null;
        PrefetchService prefetch = null;
        // Over TLS the APIs are not asked (their certificate may not name this host); the gateway still warms up.
        SharedPathWarmUp apiWarmUp = new SharedPathWarmUp(!warmUp.isOff() && tls.isEmpty());
        String local = "0.0.0.0".equals(options.host) || "::".equals(options.host) ? "127.0.0.1" : options.host;
        try {
            storage = LsmStorage.open(infrastructure.redisUri());
            LiveStateManager.Config lsmConfig = LiveStateManager.Config.of(options.host, options.adminPort,
                    Map.of(options.adminToken, AdminToken.operator("admin")), "lsm-1");
            lsm = LiveStateManager.start(tls.map(lsmConfig::withTls).orElse(lsmConfig), storage.store(), storage.idempotency(), storage.lease(),
                    infrastructure.bus("kickoff-lsm"), clock);
            apiWarmUp.read(URI.create("http://" + local + ":" + lsm.adminPort() + "/v1/events"), options.adminToken)
                    .read(URI.create("http://" + local + ":" + lsm.adminPort() + "/readyz"), null)
                    // A schedule without an id (400) and a change to an event that does not exist (404).
                    .refusedWrite("POST", URI.create("http://" + local + ":" + lsm.adminPort() + "/v1/events"),
                            options.adminToken, "{\"title\":\"warm-up\",\"scheduled_start\":\"2099-01-01T00:00:00Z\"}")
                    .refusedWrite("PATCH", URI.create("http://" + local + ":" + lsm.adminPort() + "/v1/events/kickoff-warm-up"),
                            options.adminToken, "{\"scheduled_start\":\"2099-01-01T00:00:00Z\"}");
            gateway = Gateway.start(GatewayConfig.builder().host(options.host).port(options.gatewayPort)
                    .nodeId(options.nodeId).warmUp(warmUp).tls(tls.orElse(null)).build(), tokens, infrastructure.bus("kickoff-" + options.nodeId), clock);
            Path catalogDir = options.catalogDir;
            if (catalogDir == null) {
                exampleCatalog = ExampleCatalog.publish();
                catalogDir = exampleCatalog.dir();
            }
            prefetchStorage = PrefetchStorage.open(CatalogBlobStore.existingDirectory(catalogDir), infrastructure.redisUri());
            BundleServerConfig bundleApi = BundleServerConfig.defaults().withHost(options.host).withPort(options.bundlePort);
            prefetch = PrefetchService.start(tls.map(bundleApi::withTls).orElse(bundleApi),
                    prefetchStorage.catalog(), prefetchStorage.bundles(), infrastructure.bus("kickoff-prefetch"), tokens,
                    clock);
            apiWarmUp.read(URI.create("http://" + local + ":" + prefetch.port() + "/healthz"), null);
            GatewayLifecycle.awaitReady(gateway, READY_TIMEOUT);
            apiWarmUp.close();
            if (options.usesDevelopmentSecrets()) {
                log.warn("using the development admin token or device-token secret: set KICKOFF_ADMIN_TOKEN and "
                        + "KICKOFF_TOKEN_SECRET for anything but a local trial");
            }
            return new Platform(infrastructure, storage, lsm, gateway, prefetchStorage, prefetch, exampleCatalog, tokens, tls);
        } catch (InterruptedException | RuntimeException e) {
            apiWarmUp.close();
            if (prefetch != null) {
                prefetch.close();
            }
            if (prefetchStorage != null) {
                prefetchStorage.close();
            }
            if (exampleCatalog != null) {
                exampleCatalog.close();
            }
            if (gateway != null) {
                gateway.close();
            }
            if (lsm != null) {
                lsm.close();
            }
            if (storage != null) {
                storage.close();
            }
            infrastructure.close();
            throw e;
        }
    }

    Infrastructure infrastructure() {
        return infrastructure;
    }

    LiveStateManager lsm() {
        return lsm;
    }

    Gateway gateway() {
        return gateway;
    }

    PrefetchService prefetch() {
        return prefetch;
    }

    DeviceTokens tokens() {
        return tokens;
    }

    /** The certificate files of the listeners; empty: plain ws:// and http://. */
    Optional<TlsFiles> tls() {
        return tls;
    }

    @Override
    public void close() {
        prefetch.close();
        prefetchStorage.close();
        if (exampleCatalog != null) {
            exampleCatalog.close();
        }
        gateway.close();
        lsm.close();
        storage.close();
        infrastructure.close();
    }
}
