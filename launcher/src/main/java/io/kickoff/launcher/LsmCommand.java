package io.kickoff.launcher;

import io.kickoff.http.TlsFiles;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.api.AdminToken;
import io.kickoff.lsm.api.BrowserAccess;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The Live State Manager alone (admin API), publishing stage updates on a Kafka bus. */
@Command(name = "lsm", mixinStandardHelpOptions = true,
        description = {"Run the Live State Manager (the admin API for producers) on a Kafka bus until stopped.",
                "Stage updates go to Kafka, where every gateway process reads them. Events live in Redis with "
                        + "--redis (several instances share it and elect a leader), else in memory, lost when it stops."})
final class LsmCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(LsmCommand.class);

    @Mixin
    KafkaBusOption kafkaOption;

    @Mixin
    ListenHostOption listen;

    @Option(names = "--port", defaultValue = "8081", description = "Admin API port, 0 for any free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--admin-token", paramLabel = AdminAccess.TOKEN_LABEL,
            defaultValue = "${env:KICKOFF_ADMIN_TOKEN:-" + PlatformOptions.DEV_ADMIN_TOKEN + "}", description = AdminAccess.TOKEN_HELP)
    List<String> adminTokens;

    @Option(names = "--cors-origin", paramLabel = "ORIGIN", description = AdminAccess.CORS_HELP)
    List<String> corsOrigins = new ArrayList<>();

    @Option(names = "--bundle-api", paramLabel = "URL",
            description = "Base URL of the bundle API (a prefetch node, e.g. http://127.0.0.1:8082) whose renderings the "
                    + "console shows; that node must allow the console's origin (default: none, the view says so).")
    String bundleApi;

    @Option(names = "--redis", description = "Redis URI of the event store and leader lease, e.g. redis://127.0.0.1:6379 "
            + "(default: in memory, lost on exit; several instances need a shared Redis).")
    String redis;

    @Mixin
    TlsOptions tlsOptions;

    @Option(names = "--node-id", defaultValue = "lsm-1", description = "Name of this instance in the leader lease (default: ${DEFAULT-VALUE}).")
    String nodeId;

    @Option(names = "--lease-ttl", paramLabel = "DURATION", defaultValue = "5s",
            description = "Time-to-live of the leader lease, renewed every third of it: a leader that stops is "
                    + "replaced within about this long; at least 300ms (default: ${DEFAULT-VALUE}).")
    Duration leaseTtl;

    @Option(names = "--store-timeout", paramLabel = "DURATION", defaultValue = "3s",
            description = "How long the scheduler and the outbox relay wait for one Redis or Kafka call (default: ${DEFAULT-VALUE}).")
    Duration storeTimeout;

    @Option(names = "--relay-group", defaultValue = LiveStateManager.Config.DEFAULT_RELAY_GROUP,
            description = "Name every instance of one deployment shares on the bus (the relay's Kafka transactional.id): "
                    + "give each deployment on one Kafka cluster its own (default: ${DEFAULT-VALUE}).")
    String relayGroup;

    @Option(names = "--no-audience",
            description = "No audience service publishes on this Kafka: GET /v1/events/{id}/audience answers 503 "
                    + "audience-unavailable and the console says so, instead of an audience of 0.")
    boolean noAudience;

    @Spec
    CommandSpec spec;

    final UntilStopped stop = new UntilStopped(60_000);

    @Override
    public Integer call() throws Exception {
        String kafka = kafkaOption.validated(spec);
        listen.requireFree(port, "--port");
        RedisAddress.validate(spec, redis);
        Optional<TlsFiles> tls = tlsOptions.files(spec);
        Map<String, AdminToken> tokens = AdminAccess.tokens(spec, adminTokens);
        String operatorToken = AdminAccess.operatorToken(spec, adminTokens);
        BrowserAccess browser = AdminAccess.withBundleApi(spec, AdminAccess.browser(spec, corsOrigins), bundleApi);
        LiveStateManager.Config defaults = LiveStateManager.Config.of(listen.host, port, tokens, nodeId);
        LiveStateManager.Config config;
        try {
            if (storeTimeout.isZero() || storeTimeout.isNegative()) {
                throw new IllegalArgumentException("storeTimeout must be positive");
            }
            config = new LiveStateManager.Config(defaults.host(), defaults.port(), defaults.tokens(), nodeId, leaseTtl,
                    defaults.tick(), storeTimeout, relayGroup, browser);
            config = noAudience ? config.withoutAudience() : config;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "bad Live State Manager setting: " + e.getMessage()
                    + " (--lease-ttl at least 300ms, --store-timeout positive, --relay-group not blank)");
        }
        // Before the hook: a missing broker ends the command here, with nothing to clean up.
        Infrastructure infrastructure = Infrastructure.external(kafka, kafkaOption.clientConfig(), redis);
        stop.install();
        try (LsmStorage storage = LsmStorage.open(redis);
             LiveStateManager lsm = LiveStateManager.start(tls.map(config::withTls).orElse(config),
                storage.store(), storage.idempotency(), storage.lease(), infrastructure.bus("kickoff-lsm-" + nodeId),
                Clock.systemUTC())) {
            PrintWriter out = spec.commandLine().getOut();
            out.printf("Kickoff Live State Manager (pid %d) on Kafka %s%n", ProcessHandle.current().pid(),
                    infrastructure.bootstrapServers());
            out.printf("  admin API     %s://%s:%d/v1/events   (Authorization: Bearer %s)%n", TlsOptions.scheme(tls, "http"), listen.host, lsm.adminPort(),
                    operatorToken);
            out.printf("  console       %s://%s:%d/console/    (tokens: %s)%n", TlsOptions.scheme(tls, "http"), listen.host, lsm.adminPort(),
                    AdminAccess.describe(tokens));
            out.printf("  store         %s%n", storage.durable() ? "Redis " + redis
                    : "in memory (events are lost when this process stops; give --redis for a durable store)");
            out.println("Ready. Stop with Ctrl-C.");
            out.flush();
            if (AdminAccess.usesDevelopmentToken(adminTokens)) {
                log.warn("using the development admin token: set KICKOFF_ADMIN_TOKEN for anything but a local trial");
            }
            stop.await();
        } finally {
            infrastructure.close();
            stop.finished();
        }
        return 0;
    }
}
