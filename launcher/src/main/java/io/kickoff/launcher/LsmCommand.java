package io.kickoff.launcher;

import io.kickoff.http.TlsFiles;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.api.AdminToken;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
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

    @Option(names = "--admin-token", defaultValue = "${env:KICKOFF_ADMIN_TOKEN:-" + PlatformOptions.DEV_ADMIN_TOKEN + "}",
            description = "Operator bearer token of the admin API (env KICKOFF_ADMIN_TOKEN; default: a development token).")
    String adminToken;

    @Option(names = "--redis", description = "Redis URI of the event store and leader lease, e.g. redis://127.0.0.1:6379 "
            + "(default: in memory, lost on exit; several instances need a shared Redis).")
    String redis;

    @Mixin
    TlsOptions tlsOptions;

    @Option(names = "--node-id", defaultValue = "lsm-1", description = "Name of this instance in the leader lease (default: ${DEFAULT-VALUE}).")
    String nodeId;

    @Spec
    CommandSpec spec;

    final UntilStopped stop = new UntilStopped(60_000);

    @Override
    public Integer call() throws Exception {
        String kafka = kafkaOption.validated(spec);
        listen.requireFree(port, "--port");
        RedisAddress.validate(spec, redis);
        Optional<TlsFiles> tls = tlsOptions.files(spec);
        LiveStateManager.Config config = LiveStateManager.Config.of(listen.host, port,
                Map.of(adminToken, AdminToken.operator("admin")), nodeId);
        // Before the hook: a missing broker ends the command here, with nothing to clean up.
        Infrastructure infrastructure = Infrastructure.external(kafka, redis);
        stop.install();
        try (LsmStorage storage = LsmStorage.open(redis);
             LiveStateManager lsm = LiveStateManager.start(
                tls.map(config::withTls).orElse(config),
                storage.store(), storage.idempotency(), storage.lease(), infrastructure.bus("kickoff-lsm-" + nodeId),
                Clock.systemUTC())) {
            PrintWriter out = spec.commandLine().getOut();
            out.printf("Kickoff Live State Manager (pid %d) on Kafka %s%n", ProcessHandle.current().pid(),
                    infrastructure.bootstrapServers());
            out.printf("  admin API     %s://%s:%d/v1/events   (Authorization: Bearer %s)%n", TlsOptions.scheme(tls, "http"),
                    listen.host, lsm.adminPort(),
                    adminToken);
            out.printf("  store         %s%n", storage.durable() ? "Redis " + redis
                    : "in memory (events are lost when this process stops; give --redis for a durable store)");
            out.println("Ready. Stop with Ctrl-C.");
            out.flush();
            if (PlatformOptions.DEV_ADMIN_TOKEN.equals(adminToken)) {
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
