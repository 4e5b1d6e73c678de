package io.kickoff.launcher;

import io.kickoff.http.CrossOrigin;
import io.kickoff.http.TlsFiles;
import io.kickoff.prefetch.PrefetchService;
import io.kickoff.prefetch.catalog.CatalogBlobStore;
import io.kickoff.prefetch.http.BundleServerConfig;
import io.kickoff.prefetch.push.AudienceEstimate;
import io.kickoff.prefetch.push.PushPacing;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** One prefetch node on a Kafka bus. */
@Command(name = "prefetch", mixinStandardHelpOptions = true,
        description = {"Run one prefetch node: follows the catalog blob directory, materializes one bundle per "
                + "(event, segment) when an event enters PREFETCH, publishes it on kickoff.bundles for the gateways, "
                + "and serves GET /v1/bundles (ETag, jittered max-age, priority shedding)."})
final class PrefetchCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(PrefetchCommand.class);

    @Mixin
    KafkaBusOption kafkaOption;

    @Option(names = "--catalog-dir", defaultValue = "catalog-blobs", description = "Catalog blob directory (default: ${DEFAULT-VALUE}).")
    Path catalogDir;

    @Option(names = "--redis", description = "Redis URI for bundles shared by several nodes (default: in memory).")
    String redis;

    @Mixin
    ListenHostOption listen;

    @Option(names = "--port", defaultValue = "8082", description = "Bundle API port, 0 for any free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Mixin
    TokenSecretOption tokenSecret;

    @Option(names = "--node-id", defaultValue = PrefetchService.DEFAULT_NODE_ID,
            description = "Name of this node in its metrics (default: ${DEFAULT-VALUE}).")
    String nodeId;

    @Mixin
    TlsOptions tlsOptions;

    private static final BundleServerConfig DEFAULTS = BundleServerConfig.defaults();

    @Option(names = "--max-in-flight", paramLabel = "N",
            description = "Bundle requests in flight that any priority may use; past it prefetch requests get 503 "
                    + "with Retry-After (default: ${DEFAULT-VALUE}).")
    int maxInFlight = DEFAULTS.concurrencyLimit();

    @Option(names = "--critical-reserve", paramLabel = "N",
            description = "Extra requests in flight only X-Priority: critical may use (default: ${DEFAULT-VALUE}).")
    int criticalReserve = DEFAULTS.criticalReserve();

    @Option(names = "--max-age", paramLabel = "DURATION",
            description = "Base Cache-Control max-age of bundle answers, e.g. 30s, 10m, 1h (default: ${DEFAULT-VALUE}).")
    java.time.Duration maxAge = DEFAULTS.maxAge();

    @Option(names = "--max-age-jitter", paramLabel = "FRACTION",
            description = "Each answer's max-age is uniform in max-age x (1 +/- this), in [0, 1) (default: ${DEFAULT-VALUE}).")
    double maxAgeJitter = DEFAULTS.maxAgeJitter();

    @Option(names = "--io-threads", paramLabel = "N", description = "Event-loop threads of the bundle API (default: ${DEFAULT-VALUE}).")
    int ioThreads = DEFAULTS.ioThreads();

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "" + BundleServerConfig.DEFAULT_MAX_CONNECTIONS,
            description = "Most open connections of the bundle API; past it new ones get 503 with Retry-After "
                    + "(default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--retry-after-min", paramLabel = "DURATION", defaultValue = "5s",
            description = "Smallest Retry-After of a 503 (shed, over the connection cap, not ready) (default: ${DEFAULT-VALUE}).")
    java.time.Duration retryAfterMin;

    @Option(names = "--retry-after-max", paramLabel = "DURATION", defaultValue = "30s",
            description = "Largest Retry-After of a 503; each answer gets a random one between (default: ${DEFAULT-VALUE}).")
    java.time.Duration retryAfterMax;

    @Option(names = "--cors-origin", paramLabel = "ORIGIN",
            description = "A web origin (scheme://host[:port]) whose pages may call the bundle API from a browser; "
                    + "repeatable (default: none).")
    List<String> corsOrigins = new ArrayList<>();

    @Option(names = "--home-gateway", paramLabel = "ws://HOST:PORT/v1/connect",
            description = "The gateway the demo home screen (/home/) connects to; with it, /home/config.json hands "
                    + "out device tokens if the development secret is in use or --offer-home-tokens is given.")
    URI homeGateway;

    @Option(names = "--offer-home-tokens",
            description = "Hand device tokens to the home screen even with a real --token-secret (anyone who can "
                    + "reach the bundle API then gets one); needs --home-gateway.")
    boolean offerHomeTokens;

    @Option(names = "--audience-estimate", paramLabel = "[EVENT/]SEGMENT=WEIGHT", split = ",",
            description = "Expected share of an event's audience per segment, for the push order and pacing until the "
                    + "event's audience is observed on kickoff.audience: us-en=0.6,uk-en=0.3 for every event, "
                    + "final/us-en=0.8 for one; repeatable (default: none, equal shares).")
    List<String> audienceEstimate = new ArrayList<>();

    @Option(names = "--min-push-share", paramLabel = "FRACTION",
            description = "Smallest part of the gateways' bundle push window a segment's push is spread over, in "
                    + "(0, 1] (default: ${DEFAULT-VALUE}).")
    double minPushShare = PushPacing.DEFAULT_MIN_WINDOW_SHARE;

    @Spec
    CommandSpec spec;

    final UntilStopped stop = new UntilStopped(30_000);

    @Override
    public Integer call() throws Exception {
        String kafka = kafkaOption.validated(spec);
        BundleServerConfig server;
        try {
            server = DEFAULTS.withHost(listen.host).withPort(port).withLimits(maxInFlight, criticalReserve)
                    .withMaxAge(maxAge, maxAgeJitter).withIoThreads(ioThreads);
            server = new BundleServerConfig(server.host(), server.port(), server.maxAge(), server.maxAgeJitter(),
                    server.concurrencyLimit(), server.criticalReserve(), retryAfterMin, retryAfterMax,
                    server.allowSegmentQuery(), server.ioThreads(), server.edge(), server.corsOrigins(), server.homeConfig(),
                    server.tls());
            if (maxConnections < 1) {
                throw new IllegalArgumentException("--max-connections must be at least 1, got " + maxConnections);
            }
            server = server.withEdge(server.edge().withMaxConnections(maxConnections));
        } catch (IllegalArgumentException e) {
            throw badSetting(e);
        }
        try {
            CrossOrigin.handler(corsOrigins);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--cors-origin: " + e.getMessage());
        }
        server = server.withCorsOrigins(corsOrigins);
        if (offerHomeTokens && homeGateway == null) {
            throw new ParameterException(spec.commandLine(), "--offer-home-tokens needs --home-gateway (where the page connects)");
        }
        if (homeGateway != null && !"ws".equals(homeGateway.getScheme()) && !"wss".equals(homeGateway.getScheme())) {
            throw new ParameterException(spec.commandLine(), "--home-gateway wants ws://HOST:PORT/v1/connect, got " + homeGateway);
        }
        PushPacing pacing;
        try {
            pacing = PushPacing.defaults().withEstimate(AudienceEstimate.parse(audienceEstimate))
                    .withMinWindowShare(minPushShare);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--audience-estimate/--min-push-share: " + e.getMessage());
        }
        boolean offerTokens = homeGateway != null
                && HomeScreenOffer.offered(tokenSecret.isDevelopmentSecret(), offerHomeTokens);
        AtomicReference<PrefetchService> started = new AtomicReference<>();
        if (offerTokens) {
            server = server.withHomeConfig(HomeScreenOffer.of(homeGateway, tokenSecret.tokens(), tokenSecret.secret,
                    () -> started.get() == null ? List.of() : started.get().segments()));
        }
        listen.requireFree(port, "--port");
        RedisAddress.validate(spec, redis);
        Optional<TlsFiles> tls = tlsOptions.files(spec);
        if (tls.isPresent()) {
            server = server.withTls(tls.get());
        }
        CatalogBlobStore catalogBlobs = CatalogBlobStore.existingDirectory(catalogDir);
        // Before the hook: a missing broker ends the command here, with nothing to clean up.
        Infrastructure infrastructure = Infrastructure.external(kafka, kafkaOption.clientConfig(), redis);
        stop.install();
        try (PrefetchStorage storage = PrefetchStorage.open(catalogBlobs, redis);
             PrefetchService service = PrefetchService.start(server, storage.catalog(), storage.bundles(),
                     infrastructure.bus("kickoff-prefetch"), tokenSecret.tokens(), Clock.systemUTC(), nodeId, pacing)) {
            started.set(service);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("Kickoff prefetch node (pid %d) on Kafka %s, %s from %s%n",
                    ProcessHandle.current().pid(), infrastructure.bootstrapServers(), service.describeCatalog(), catalogDir);
            out.printf("  bundle API    %s://%s:%d/v1/bundles   (device token, or ?segment= for tools)%n",
                    TlsOptions.scheme(tls, "http"), listen.host, service.port());
            out.printf("  home screen   %s://%s:%d/home/        (%s; SDK: /sdk/kickoff-device.js)%n", TlsOptions.scheme(tls, "http"), listen.host,
                    service.port(), offerTokens ? "hands a device token to anyone who can reach it"
                            : "no device tokens offered: needs --home-gateway, and --offer-home-tokens with a real secret");
            if (offerTokens) {
                log.warn(
                        "the home screen hands a device token to anyone who can reach the bundle API ({})",
                        offerHomeTokens ? "--offer-home-tokens" : "the development device-token secret is in use");
            }
            service.notReadyReason().ifPresentOrElse(
                    reason -> out.println("Not ready: " + reason + ". Stop with Ctrl-C."),
                    () -> out.println("Ready. Stop with Ctrl-C."));
            out.flush();
            stop.await();
        } finally {
            infrastructure.close();
            stop.finished();
        }
        return 0;
    }

    private ParameterException badSetting(IllegalArgumentException e) {
        return new ParameterException(spec.commandLine(), "bad bundle API setting: " + e.getMessage()
                + " (--max-in-flight, --max-connections and --io-threads >= 1, --retry-after-min <= --retry-after-max, --critical-reserve >= 0, --max-age >= 0, "
                + "0 <= --max-age-jitter < 1)");
    }
}
