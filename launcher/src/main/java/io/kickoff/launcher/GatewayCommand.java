package io.kickoff.launcher;

import io.kickoff.bus.EventBus;
import io.kickoff.gateway.Gateway;
import io.kickoff.gateway.GatewayConfig;
import io.kickoff.http.TlsFiles;
import io.kickoff.protocol.token.DeviceTokens;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** One broadcast gateway node on a Kafka bus, for runs with several gateway processes. */
@Command(name = "gateway", mixinStandardHelpOptions = true, defaultValueProvider = GatewayCommand.Defaults.class,
        description = {"Run one broadcast gateway node on a Kafka bus until stopped.",
                "It reads the state of the world from Kafka, then accepts devices on ws://HOST:PORT/v1/connect "
                        + "(wss:// with --tls-cert and --tls-key; health: /healthz, /readyz; metrics: /metrics). On Ctrl-C or SIGTERM it drains: it refuses "
                        + "new devices and turns not ready at once, keeps serving each connected device until its own "
                        + "moment to leave (spread evenly over --drain-window), sends it go_away to reconnect elsewhere, "
                        + "and exits when the last one has left (at the latest the window plus a few seconds)."})
final class GatewayCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(GatewayCommand.class);

    @Mixin
    KafkaBusOption kafkaOption;

    @Mixin
    ListenHostOption listen;

    @Option(names = "--port", defaultValue = "8080", description = "Device WebSocket port, 0 for any free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--node-id", description = "Name of this node in welcomes, logs, metrics and statistics "
            + "(default: gateway-PORT, unique per host).")
    String nodeId;

    @Mixin
    TokenSecretOption tokenSecret;

    @Mixin
    TlsOptions tlsOptions;

    @Option(names = "--max-connections",
            description = "Most device connections at once; 0 derives it from the open-files limit (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--max-connects-per-second",
            description = "Most new device connections accepted per second, 0 for no limit; above it devices get 503 "
                    + "with a jittered Retry-After (default: ${DEFAULT-VALUE}).")
    int maxConnectsPerSecond;

    @Option(names = "--ops-token", defaultValue = "${env:KICKOFF_OPS_TOKEN}",
            description = "Bearer token of the operations endpoint POST /ops/drain (env KICKOFF_OPS_TOKEN; default: none, "
                    + "endpoint disabled).")
    String opsToken;

    @Option(names = "--io-threads", description = "Event loop threads, 0 for one per core (default: ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--drain-window", paramLabel = "DURATION",
            description = "On stop, connected devices are sent to other nodes one by one, spread evenly over this window, "
                    + "each served until its moment; e.g. 30s, 2m (default: ${DEFAULT-VALUE}).")
    Duration drainWindow;

    @Option(names = "--warm-up-devices", paramLabel = "N",
            description = "Before it reports ready, the node runs broadcasts to N loopback devices in the same process, "
                    + "so that its first real broadcast runs compiled code; 0 to start without (default: ${DEFAULT-VALUE}).")
    int warmUpDevices;

    @Mixin
    GatewaySettings settings;

    @Spec
    CommandSpec spec;

    final UntilStopped stop = new UntilStopped(10 * 60_000);

    /** Defaults of the gateway's own settings come from {@link GatewayConfig}, so help never goes stale. */
    static final class Defaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec argSpec) {
            if (!(argSpec instanceof OptionSpec option)) {
                return null;
            }
            GatewayConfig d = GatewayConfig.builder().build();
            Map<String, Object> defaults = Map.of(
                    "--max-connections", d.maxConnections(),
                    "--max-connects-per-second", d.maxConnectsPerSecond(),
                    "--io-threads", d.ioThreads(),
                    "--drain-window", d.drainWindow(),
                    "--warm-up-devices", d.warmUp().devices());
            Object value = defaults.get(option.longestName());
            return value != null ? (value instanceof Duration duration ? Durations.format(duration) : value.toString())
                    : GatewaySettings.defaults().get(option.longestName());
        }
    }

    @Override
    public Integer call() throws Exception {
        String kafka = kafkaOption.validated(spec);
        if (maxConnections < 0 || maxConnectsPerSecond < 0 || ioThreads < 0) {
            throw new ParameterException(spec.commandLine(),
                    "--max-connections, --max-connects-per-second and --io-threads must not be negative");
        }
        if (warmUpDevices < 0 || warmUpDevices > GatewayConfig.WarmUp.MAX_DEVICES) {
            throw new ParameterException(spec.commandLine(), "--warm-up-devices must be 0.."
                    + GatewayConfig.WarmUp.MAX_DEVICES + ", got " + warmUpDevices);
        }
        if (drainWindow.isNegative()) {
            throw new ParameterException(spec.commandLine(), "--drain-window must not be negative");
        }
        listen.requireFree(port, "--port");
        Optional<TlsFiles> tls = tlsOptions.files(spec);
        DeviceTokens tokens = tokenSecret.tokens();
        // The node id also names the bus client. Ports are unique per host; with port 0 the pid is.
        String id = nodeId != null ? nodeId : port != 0 ? "gateway-" + port : "gateway-" + ProcessHandle.current().pid();
        // Built before anything starts: settings that do not fit together are a usage error naming them.
        GatewayConfig config = settings.applyTo(GatewayConfig.builder())
                .host(listen.host)
                .port(port)
                .maxConnections(maxConnections)
                .maxConnectsPerSecond(maxConnectsPerSecond)
                .ioThreads(ioThreads)
                .drainWindow(drainWindow)
                .warmUp(warmUpDevices == 0 ? GatewayConfig.WarmUp.OFF
                        : new GatewayConfig.WarmUp(warmUpDevices, GatewayConfig.WarmUp.DEFAULT.budget()))
                .opsToken(opsToken)
                .tls(tls.orElse(null))
                .nodeId(id)
                .build();
        // Before the hook: a missing broker ends the command here, with nothing to clean up.
        Infrastructure infrastructure = Infrastructure.external(kafka, kafkaOption.clientConfig(), null);
        stop.install();
        try {
            EventBus bus = infrastructure.bus("kickoff-" + id);
            Gateway gateway = Gateway.start(config, tokens, bus, Clock.systemUTC());
            try {
                PrintWriter out = spec.commandLine().getOut();
                out.printf("Kickoff gateway %s (pid %d) on Kafka %s: reading the state of the world and warming up...%n",
                        id, ProcessHandle.current().pid(), infrastructure.bootstrapServers());
                out.flush();
                // Waiting for the bus; a stop request ends the wait.
                CompletableFuture<Void> ready = gateway.whenReady();
                CompletableFuture.anyOf(ready, stop.requested()).join();
                ready.cancel(false);
                if (gateway.isReady()) {
                    out.printf("  device socket %s://%s:%d/v1/connect   (connection cap: %s)%n", TlsOptions.scheme(tls, "ws"),
                            listen.host, gateway.port(),
                            maxConnections == 0 ? "from the open-files limit" : maxConnections);
                    out.printf("  health        %s://%s:%d/healthz, /readyz, /metrics%s%n", TlsOptions.scheme(tls, "http"),
                            listen.host, gateway.port(),
                            opsToken == null || opsToken.isBlank() ? "" : ", POST /ops/drain");
                    out.println("Ready. Stop with Ctrl-C (drains first).");
                    out.flush();
                }
                if (tokenSecret.isDevelopmentSecret()) {
                    log.warn("using the development device-token secret: set KICKOFF_TOKEN_SECRET for anything but a local trial");
                }
                stop.await();
                log.info("gateway {} stopping: draining {} devices over {}, exiting when the last has left", id,
                        gateway.connectedDevices(), drainWindow);
            } finally {
                GatewayLifecycle.drainThenClose(gateway);
            }
        } finally {
            infrastructure.close();
            stop.finished();
        }
        return 0;
    }
}
