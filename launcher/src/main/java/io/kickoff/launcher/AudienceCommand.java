package io.kickoff.launcher;

import io.kickoff.audience.AudienceService;
import io.kickoff.audience.AudienceSettings;
import io.kickoff.audience.AudienceStreamsConfig;
import io.kickoff.audience.AudienceTopics;
import io.kickoff.audience.StreamsMeters;
import io.kickoff.audience.http.AudienceEndpoints;
import io.kickoff.bus.KafkaBusConfig;
import io.kickoff.http.NodeMeters;
import io.kickoff.http.Probes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** One audience instance (Kafka Streams) on a Kafka bus. */
@Command(name = "audience", mixinStandardHelpOptions = true, defaultValueProvider = AudienceCommand.Defaults.class,
        description = {"Run one audience instance until stopped: counts the viewers of every event (by segment), the "
                + "plays after each broadcast and the streams per account from the devices' viewing signals on "
                + "kickoff.viewing, exactly once, on Kafka Streams, and publishes them on kickoff.audience, "
                + "kickoff.audience.series and kickoff.audience.accounts (created if missing, with the input topics).",
                "Instances with the same --application-id share the work (the partitions of kickoff.viewing); start "
                        + "more to scale out or to take over from one that stops. Probes: /healthz, /readyz (ready "
                        + "while Kafka Streams is RUNNING), /metrics on --port.",
                "If a stream thread dies the instance shuts down and the command exits 1 with the reason, for its "
                        + "supervisor to restart it."})
final class AudienceCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(AudienceCommand.class);
    static final int DEFAULT_PORT = 8083;

    @Mixin
    KafkaBusOption kafkaOption;

    @Mixin
    ListenHostOption listen;

    @Option(names = "--port", defaultValue = "" + DEFAULT_PORT,
            description = "Port of /healthz, /readyz and /metrics, 0 for any free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--node-id", description = "Name of this instance in its metrics (default: audience-PORT, unique per host).")
    String nodeId;

    @Option(names = "--application-id", defaultValue = "kickoff-audience",
            description = "Kafka Streams application id: instances with the same one share the work; it also prefixes "
                    + "the consumer group and the internal topics (default: ${DEFAULT-VALUE}).")
    String applicationId;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Directory of the local stores (RocksDB; rebuilt from the changelogs when lost): one per "
                    + "instance on a host (default: <system temp dir>/kickoff-audience/NODE-ID).")
    Path stateDir;

    @Option(names = "--replication-factor", paramLabel = "N",
            description = "Replication of the changelog and repartition topics and of the topics this command creates; "
                    + "3 on a production cluster (default: ${DEFAULT-VALUE}).")
    int replicationFactor;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions of the topics this command creates if missing; the most instances that share "
                    + "work is that of kickoff.viewing (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--standby-replicas", paramLabel = "N",
            description = "Warm copies of each task's stores on other instances, for a fast take-over (default: ${DEFAULT-VALUE}).")
    int standbyReplicas;

    @Option(names = "--viewing-heartbeat-interval", paramLabel = "DURATION",
            description = "How often a playing device sends a heartbeat: the gateways' --viewing-heartbeat-interval, "
                    + "so a top-level key of the configuration file sets both (default: ${DEFAULT-VALUE}).")
    Duration heartbeatInterval;

    @Option(names = "--missed-heartbeats", paramLabel = "N",
            description = "Heartbeats a device may miss before it no longer counts (default: ${DEFAULT-VALUE}).")
    int missedHeartbeats;

    @Option(names = "--play-window", paramLabel = "DURATION",
            description = "A device's first PLAYING within this after a broadcast (a stage update) counts as a play of "
                    + "it (default: ${DEFAULT-VALUE}).")
    Duration playWindow;

    @Option(names = "--series-retention", paramLabel = "DURATION",
            description = "How long kickoff.audience.series keeps its per-second snapshots, when this command creates "
                    + "it; at least 1h, what the admin API shows (default: ${DEFAULT-VALUE}).")
    Duration seriesRetention;

    @Spec
    CommandSpec spec;

    final UntilStopped stop = new UntilStopped(60_000);

    /** Defaults from {@link AudienceSettings} and the bus's own topic settings, so help never goes stale. */
    static final class Defaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            return arg instanceof OptionSpec option ? defaults().get(option.longestName()) : null;
        }
    }

    static Map<String, String> defaults() {
        AudienceSettings d = AudienceSettings.defaults();
        KafkaBusConfig bus = KafkaBusConfig.of("unused:9092");
        Map<String, String> values = new LinkedHashMap<>();
        values.put("--replication-factor", Integer.toString(bus.replicationFactor()));
        values.put("--partitions", Integer.toString(bus.partitions()));
        values.put("--standby-replicas", "0");
        values.put("--viewing-heartbeat-interval", Durations.format(d.heartbeatInterval()));
        values.put("--missed-heartbeats", Integer.toString(d.missedHeartbeats()));
        values.put("--play-window", Durations.format(d.playWindow()));
        values.put("--series-retention", Durations.format(AudienceTopics.DEFAULT_SERIES_RETENTION));
        return values;
    }

    @Override
    public Integer call() throws Exception {
        String kafka = kafkaOption.validated(spec);
        listen.requireFree(port, "--port");
        String id = nodeId != null ? nodeId : port != 0 ? "audience-" + port : "audience-" + ProcessHandle.current().pid();
        Path state = stateDir != null ? stateDir : Path.of(System.getProperty("java.io.tmpdir"), "kickoff-audience", id);
        Map<String, Object> clientConfig = kafkaOption.clientConfig();
        AudienceSettings settings;
        AudienceStreamsConfig streams;
        AudienceTopics topics;
        try {
            AudienceSettings d = AudienceSettings.defaults();
            settings = new AudienceSettings(heartbeatInterval, missedHeartbeats, playWindow, d.tick(),
                    playWindow.compareTo(d.playRetention()) > 0 ? playWindow : d.playRetention());
            streams = new AudienceStreamsConfig(applicationId, kafka.trim(), state, replicationFactor, standbyReplicas)
                    .withClientConfig(clientConfig);
            if (replicationFactor > Short.MAX_VALUE) {
                throw new IllegalArgumentException("replicationFactor too large: " + replicationFactor);
            }
            topics = new AudienceTopics(partitions, (short) replicationFactor, seriesRetention);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "bad audience setting: " + e.getMessage()
                    + " (--viewing-heartbeat-interval and --play-window positive, --missed-heartbeats, --partitions and "
                    + "--replication-factor >= 1, --standby-replicas >= 0, --series-retention >= 1h, "
                    + "--application-id not blank)");
        }
        // Before anything starts: a missing broker is one line naming it, with nothing to clean up.
        Reachability.requireKafka(kafka.trim(), Reachability.DEFAULT_WAIT);
        topics.ensure(kafka.trim(), clientConfig, Duration.ofSeconds(30));
        stop.install();
        NodeMeters meters = NodeMeters.forNode(id);
        try (AudienceService service = new AudienceService(settings, streams)) {
            service.bindMetrics(meters.registry());
            StreamsMeters streamsMeters = service.streamsMeters(id);
            Map<String, BooleanSupplier> checks = Map.of("streams-running", service::isReady);
            try (AudienceEndpoints endpoints = new AudienceEndpoints(listen.host, port,
                    new Probes(checks, () -> meters.scrape() + streamsMeters.scrape()))) {
                int bound = endpoints.start();
                service.start();
                PrintWriter out = spec.commandLine().getOut();
                out.printf("Kickoff audience %s (pid %d) on Kafka %s, application %s%n", id, ProcessHandle.current().pid(),
                        kafka.trim(), applicationId);
                out.printf("  probes        http://%s:%d/healthz, /readyz, /metrics   (ready while Kafka Streams is RUNNING)%n",
                        listen.host, bound);
                out.printf("  state         %s%n", state);
                out.printf("  counts        viewers gone after %s without a heartbeat; plays within %s of a broadcast%n",
                        Durations.format(Duration.ofMillis(settings.goneAfterMs())), Durations.format(playWindow));
                out.println("Started. Stop with Ctrl-C.");
                out.flush();
                CompletableFuture.anyOf(stop.requested(), service.failed()).join();
                if (service.failure().isPresent()) {
                    Throwable cause = service.failure().get();
                    throw new IllegalStateException("audience " + applicationId + " stopped: a stream thread died: "
                            + (cause.getMessage() == null ? cause.toString() : cause.getClass().getSimpleName() + ": "
                            + cause.getMessage()), cause);
                }
                log.info("audience {} stopping", id);
            }
        } finally {
            meters.close();
            stop.finished();
        }
        return 0;
    }
}
