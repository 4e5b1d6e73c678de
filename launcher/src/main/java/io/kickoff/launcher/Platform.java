package io.kickoff.launcher;

import io.kickoff.audience.AudienceService;
import io.kickoff.audience.AudienceSettings;
import io.kickoff.audience.AudienceStreamsConfig;
import io.kickoff.audience.AudienceTopics;
import io.kickoff.bus.KafkaBusConfig;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.http.TlsFiles;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.api.AdminTokens;
import io.kickoff.lsm.api.BrowserAccess;
import io.kickoff.prefetch.PrefetchService;
import io.kickoff.prefetch.catalog.CatalogBlobStore;
import io.kickoff.prefetch.http.BundleServerConfig;
import io.kickoff.protocol.token.DeviceTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole platform on one node: bus, Live State Manager, gateway and prefetch node, wired for a mode, and on Kafka
 * (embedded and external modes) an audience instance beside them. Public only for {@link #inMemory}: tests of the web
 * pages start one from outside this module.
 */
public final class Platform implements AutoCloseable {
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
    private final boolean homeTokensOffered;
    private final Optional<TlsFiles> tls;
    private final PlatformAudience audience;

    private Platform(Infrastructure infrastructure, LsmStorage storage, LiveStateManager lsm, Gateway gateway,
                     PrefetchStorage prefetchStorage, PrefetchService prefetch, ExampleCatalog exampleCatalog,
                     DeviceTokens tokens, boolean homeTokensOffered, Optional<TlsFiles> tls, PlatformAudience audience) {
        this.tls = tls;
        this.audience = audience;
        this.infrastructure = infrastructure;
        this.storage = storage;
        this.lsm = lsm;
        this.gateway = gateway;
        this.prefetchStorage = prefetchStorage;
        this.prefetch = prefetch;
        this.exampleCatalog = exampleCatalog;
        this.tokens = tokens;
        this.homeTokensOffered = homeTokensOffered;
    }

    /**
     * The bundle API's CORS origins: the configured ones and the admin API's own (the producer console reads the
     * renderings devices will show), under both loopback names when it listens on loopback.
     */
    static List<String> corsOrigins(PlatformOptions options, String scheme, String local, int adminPort) {
        List<String> origins = new ArrayList<>(options.corsOrigins);
        origins.add(scheme + "://" + local + ":" + adminPort);
        if ("127.0.0.1".equals(local)) {
            origins.add(scheme + "://localhost:" + adminPort);
        }
        return origins.stream().distinct().toList();
    }

    /** Starts everything and returns once the gateway accepts devices. */
    static Platform start(PlatformOptions options) throws InterruptedException {
        return start(options, GatewayConfig.WarmUp.DEFAULT);
    }

    /** Starts everything with the given gateway warm-up ({@link GatewayConfig.WarmUp#OFF}: none). */
    static Platform start(PlatformOptions options, GatewayConfig.WarmUp warmUp) throws InterruptedException {
        return start(options, warmUp, UnaryOperator.identity(), Optional.empty());
    }

    /** As above, the gateway's protocol and protection settings ({@link GatewaySettings}) applied first. */
    static Platform start(PlatformOptions options, GatewayConfig.WarmUp warmUp,
                          UnaryOperator<GatewayConfig.Builder> gatewaySettings) throws InterruptedException {
        return start(options, warmUp, gatewaySettings, Optional.empty());
    }

    /** As above; with {@code tls}, all three listeners speak TLS ({@code wss://}, {@code https://}). */
    static Platform start(PlatformOptions options, GatewayConfig.WarmUp warmUp,
                          UnaryOperator<GatewayConfig.Builder> gatewaySettings, Optional<TlsFiles> tls)
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
        PlatformAudience audience = null;
        // Over TLS the APIs are not asked (their certificate may not name this host); the gateway still warms up.
        SharedPathWarmUp apiWarmUp = new SharedPathWarmUp(!warmUp.isOff() && tls.isEmpty());
        String local = "0.0.0.0".equals(options.host) || "::".equals(options.host) ? "127.0.0.1" : options.host;
        AtomicReference<Optional<String>> consoleBundleApi = new AtomicReference<>(Optional.empty());
        String adminToken = options.operatorToken();
        try {
            // Built before anything starts: settings that do not fit together fail here.
            GatewayConfig gatewayConfig = gatewaySettings.apply(GatewayConfig.builder()).host(options.host)
                    .port(options.gatewayPort).nodeId(options.nodeId).warmUp(warmUp).tls(tls.orElse(null)).build();
            if (infrastructure.mode() != Mode.memory) {
                // Counts with the heartbeat interval the gateway tells devices.
                audience = PlatformAudience.start(infrastructure, options.nodeId,
                        AudienceSettings.defaults().withHeartbeatInterval(gatewayConfig.viewing().heartbeatInterval()));
            }
            storage = LsmStorage.open(infrastructure.redisUri());
            // The console learns the bundle API's address from config.json once the prefetch node is up.
            LiveStateManager.Config lsmConfig = LiveStateManager.Config.of(options.host, options.adminPort,
                    AdminTokens.parse(options.adminTokens), "lsm-1").withBrowserAccess(BrowserAccess.none()
                            .withCorsOrigins(options.corsOrigins).withBundleApi(consoleBundleApi::get));
            // Memory mode has no Kafka, so no audience service: the audience endpoint answers 503 audience-unavailable.
            lsmConfig = options.mode == Mode.memory ? lsmConfig.withoutAudience() : lsmConfig;
            lsm = LiveStateManager.start(tls.map(lsmConfig::withTls).orElse(lsmConfig),
                    storage.store(), storage.idempotency(), storage.lease(), infrastructure.bus("kickoff-lsm"), clock);
            apiWarmUp.read(URI.create("http://" + local + ":" + lsm.adminPort() + "/v1/events"), adminToken)
                    .read(URI.create("http://" + local + ":" + lsm.adminPort() + "/readyz"), null)
                    // A schedule without an id (400) and a change to an event that does not exist (404).
                    .refusedWrite("POST", URI.create("http://" + local + ":" + lsm.adminPort() + "/v1/events"),
                            adminToken, "{\"title\":\"warm-up\",\"scheduled_start\":\"2099-01-01T00:00:00Z\"}")
                    .refusedWrite("PATCH", URI.create("http://" + local + ":" + lsm.adminPort() + "/v1/events/kickoff-warm-up"),
                            adminToken, "{\"scheduled_start\":\"2099-01-01T00:00:00Z\"}");
            gateway = Gateway.start(gatewayConfig, tokens, infrastructure.bus("kickoff-" + options.nodeId), clock);
            Path catalogDir = options.catalogDir;
            if (catalogDir == null) {
                exampleCatalog = ExampleCatalog.publish();
                catalogDir = exampleCatalog.dir();
            }
            prefetchStorage = PrefetchStorage.open(CatalogBlobStore.existingDirectory(catalogDir), infrastructure.redisUri());
            BundleServerConfig bundleApi = BundleServerConfig.defaults().withHost(options.host)
                    .withPort(options.bundlePort).withCorsOrigins(corsOrigins(options, TlsOptions.scheme(tls, "http"), local, lsm.adminPort()));
            AtomicReference<PrefetchService> started = new AtomicReference<>();
            boolean offerHomeTokens = HomeScreenOffer.offered(options.usesDevelopmentTokenSecret(), options.offerHomeTokens);
            if (offerHomeTokens) {
                bundleApi = bundleApi.withHomeConfig(HomeScreenOffer.of(
                        URI.create(TlsOptions.scheme(tls, "ws") + "://" + local + ":" + gateway.port() + "/v1/connect"), tokens, options.tokenSecret,
                        () -> started.get() == null ? List.of() : started.get().segments())
                        .withConsole(URI.create(TlsOptions.scheme(tls, "http") + "://" + local + ":" + lsm.adminPort() + "/console/")));
            }
            prefetch = PrefetchService.start(tls.map(bundleApi::withTls).orElse(bundleApi),
                    prefetchStorage.catalog(), prefetchStorage.bundles(), infrastructure.bus("kickoff-prefetch"), tokens,
                    clock);
            started.set(prefetch);
            consoleBundleApi.set(Optional.of(options.bundleApi != null ? options.bundleApi
                    : TlsOptions.scheme(tls, "http") + "://" + local + ":" + prefetch.port()));
            apiWarmUp.read(URI.create("http://" + local + ":" + prefetch.port() + "/healthz"), null);
            String home = TlsOptions.scheme(tls, "http") + "://" + local + ":" + prefetch.port() + "/home/";
            if (offerHomeTokens) {
                log.warn("the home screen {} hands a device token to anyone who can reach the bundle API ({})", home,
                        options.offerHomeTokens ? "--offer-home-tokens" : "the development device-token secret is in use");
            } else {
                log.info("the home screen {} gets no device tokens: a real device-token secret is in use "
                        + "(--offer-home-tokens offers them)", home);
            }
            GatewayLifecycle.awaitReady(gateway, READY_TIMEOUT);
            apiWarmUp.close();
            if (options.usesDevelopmentSecrets()) {
                log.warn("using the development admin token or device-token secret: set KICKOFF_ADMIN_TOKEN and "
                        + "KICKOFF_TOKEN_SECRET for anything but a local trial");
            }
            return new Platform(infrastructure, storage, lsm, gateway, prefetchStorage, prefetch, exampleCatalog, tokens,
                    offerHomeTokens, tls, audience);
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
            if (audience != null) {
                audience.close();
            }
            infrastructure.close();
            throw e;
        }
    }

    /**
     * The platform in memory (in-process bus, in-memory stores, the example catalog, development device-token
     * secret) on 127.0.0.1 and free ports, without the gateway's warm-up: for tests that drive it from a browser.
     *
     * @param adminTokens admin tokens as {@code --admin-token} takes them ({@code NAME:ROLE:TOKEN} or {@code TOKEN})
     * @param corsOrigins origins allowed to call the admin API from a browser
     * @param bundleApi   the bundle API address the console is given; empty: this platform's own
     */
    public static Platform inMemory(List<String> adminTokens, List<String> corsOrigins, Optional<String> bundleApi)
            throws InterruptedException {
        PlatformOptions options = PlatformOptions.inMemoryOnFreePorts(adminTokens, PlatformOptions.DEV_TOKEN_SECRET);
        options.corsOrigins = List.copyOf(corsOrigins);
        options.bundleApi = bundleApi.orElse(null);
        return start(options, GatewayConfig.WarmUp.OFF);
    }

    /** Port of the admin API and the console. */
    public int adminPort() {
        return lsm.adminPort();
    }

    /** Port of the device WebSocket. */
    public int gatewayPort() {
        return gateway.port();
    }

    /** Port of the bundle API. */
    public int bundlePort() {
        return prefetch.port();
    }

    /** Issues and checks device tokens. */
    public DeviceTokens deviceTokens() {
        return tokens;
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

    /** Whether the home screen's config.json hands out device tokens (development secret, or asked for). */
    boolean homeTokensOffered() {
        return homeTokensOffered;
    }

    /** The audience instance; empty in memory mode (no Kafka, so no audience). */
    Optional<PlatformAudience> audience() {
        return Optional.ofNullable(audience);
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
        if (audience != null) {
            audience.close();
        }
        infrastructure.close();
    }

    /**
     * The audience instance of a platform on Kafka, on the topics it creates with the bus's partitions. Embedded: its
     * stores live in a temporary directory deleted on close (the broker's data goes too). External: in
     * {@code <temp>/kickoff-audience/serve-NODE-ID}, kept, so a restart resumes from them rather than the changelogs.
     */
    static final class PlatformAudience implements AutoCloseable {
        static final String APPLICATION_ID = "kickoff-audience";

        private final AudienceService service;
        private final AudienceSettings settings;
        private final Path stateDir;
        private final boolean temporary;

        private PlatformAudience(AudienceService service, AudienceSettings settings, Path stateDir, boolean temporary) {
            this.service = service;
            this.settings = settings;
            this.stateDir = stateDir;
            this.temporary = temporary;
        }

        static PlatformAudience start(Infrastructure infrastructure, String nodeId, AudienceSettings settings) {
            KafkaBusConfig bus = KafkaBusConfig.of(infrastructure.bootstrapServers());
            new AudienceTopics(bus.partitions(), bus.replicationFactor(), AudienceTopics.DEFAULT_SERIES_RETENTION)
                    .ensure(infrastructure.bootstrapServers(), infrastructure.kafkaClientConfig(), bus.startTimeout());
            boolean temporary = infrastructure.mode() == Mode.embedded;
            Path stateDir;
            try {
                stateDir = temporary ? Files.createTempDirectory("kickoff-audience-")
                        : Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "kickoff-audience",
                                "serve-" + nodeId));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the audience's state directory", e);
            }
            AudienceService service = new AudienceService(settings, new AudienceStreamsConfig(APPLICATION_ID,
                    infrastructure.bootstrapServers(), stateDir, bus.replicationFactor(), 0)
                    .withClientConfig(infrastructure.kafkaClientConfig()));
            service.start();
            return new PlatformAudience(service, settings, stateDir, temporary);
        }

        AudienceService service() {
            return service;
        }

        /** What it counts by: the gateway's viewing heartbeat interval among them. */
        AudienceSettings settings() {
            return settings;
        }

        Path stateDir() {
            return stateDir;
        }

        @Override
        public void close() {
            service.close();
            if (!temporary) {
                return;
            }
            try (var paths = Files.walk(stateDir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                log.warn("could not delete the audience's state directory {}: {}", stateDir, e.toString());
            }
        }
    }
}
