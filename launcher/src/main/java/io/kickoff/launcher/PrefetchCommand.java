package io.kickoff.launcher;

import io.kickoff.http.TlsFiles;
import io.kickoff.prefetch.PrefetchService;
import io.kickoff.prefetch.catalog.CatalogBlobStore;
import io.kickoff.prefetch.http.BundleServerConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
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
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "bad bundle API setting: " + e.getMessage()
                    + " (--max-in-flight and --io-threads >= 1, --critical-reserve >= 0, --max-age >= 0, "
                    + "0 <= --max-age-jitter < 1)");
        }
        listen.requireFree(port, "--port");
        RedisAddress.validate(spec, redis);
        Optional<TlsFiles> tls = tlsOptions.files(spec);
        if (tls.isPresent()) {
            server = server.withTls(tls.get());
        }
        CatalogBlobStore catalogBlobs = CatalogBlobStore.existingDirectory(catalogDir);
        // Before the hook: a missing broker ends the command here, with nothing to clean up.
        Infrastructure infrastructure = Infrastructure.external(kafka, redis);
        stop.install();
        try (PrefetchStorage storage = PrefetchStorage.open(catalogBlobs, redis);
             PrefetchService service = PrefetchService.start(server, storage.catalog(), storage.bundles(),
                     infrastructure.bus("kickoff-prefetch"), tokenSecret.tokens(), Clock.systemUTC())) {
            PrintWriter out = spec.commandLine().getOut();
            out.printf("Kickoff prefetch node (pid %d) on Kafka %s, %s from %s%n",
                    ProcessHandle.current().pid(), infrastructure.bootstrapServers(), service.describeCatalog(), catalogDir);
            out.printf("  bundle API    %s://%s:%d/v1/bundles   (device token, or ?segment= for tools)%n",
                    TlsOptions.scheme(tls, "http"), listen.host, service.port());
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
}
