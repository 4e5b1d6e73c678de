package io.kickoff.launcher;

import io.kickoff.bus.EventBus;
import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.KafkaBusConfig;
import io.kickoff.bus.KafkaEventBus;
import io.kickoff.devservers.KafkaServer;
import io.kickoff.devservers.RedisServer;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the services of one process run on, for a {@link Mode}: the in-process bus ({@code memory}),
 * a Kafka broker and a Redis server this process starts ({@code embedded}), or given ones
 * ({@code external}). Hands out buses and closes them, then whatever it started.
 */
final class Infrastructure implements AutoCloseable {
    /** How long a signalled JVM leaves the broker and Redis it started running while its services stop. */
    static final Duration ORDERLY_STOP_GRACE = Duration.ofSeconds(60);

    private final Mode mode;
    private final KafkaServer kafka;
    private final RedisServer redis;
    private final String bootstrapServers;
    private final String redisUri;
    private final Map<String, Object> kafkaClientConfig;
    private final InProcessEventBus inProcessBus;
    private final List<EventBus> buses = new ArrayList<>();

    private Infrastructure(Mode mode, KafkaServer kafka, RedisServer redis, String bootstrapServers, String redisUri) {
        this(mode, kafka, redis, bootstrapServers, redisUri, Map.of());
    }

    private Infrastructure(Mode mode, KafkaServer kafka, RedisServer redis, String bootstrapServers, String redisUri,
                           Map<String, Object> kafkaClientConfig) {
        this.mode = mode;
        this.kafkaClientConfig = Map.copyOf(kafkaClientConfig);
        this.kafka = kafka;
        this.redis = redis;
        this.bootstrapServers = bootstrapServers;
        this.redisUri = redisUri;
        this.inProcessBus = mode == Mode.memory ? new InProcessEventBus() : null;
        if (inProcessBus != null) {
            buses.add(inProcessBus);
        }
    }

    static Infrastructure start(PlatformOptions options) {
        return switch (options.mode) {
            case memory -> new Infrastructure(Mode.memory, null, null, null, null);
            case external -> external(options.kafka, options.redis);
            case embedded -> embedded();
        };
    }

    /**
     * Kafka (and maybe Redis) that run elsewhere; fails in seconds, in one line, if no broker (or no Redis server)
     * answers there.
     */
    static Infrastructure external(String bootstrapServers, String redisUri) {
        return external(bootstrapServers, Map.of(), redisUri);
    }

    /** {@link #external(String, String)} with more Kafka client settings (TLS, SASL) for every bus it makes. */
    static Infrastructure external(String bootstrapServers, Map<String, Object> kafkaClientConfig, String redisUri) {
        Reachability.requireKafka(bootstrapServers.trim(), Reachability.DEFAULT_WAIT);
        if (redisUri != null && !redisUri.isBlank()) {
            Reachability.requireRedis(redisUri, Reachability.DEFAULT_WAIT);
        }
        return new Infrastructure(Mode.external, null, null, bootstrapServers.trim(), redisUri, kafkaClientConfig);
    }

    /** Starts a Redis server and a single-node Kafka broker (a child JVM each, on free ports of 127.0.0.1). */
    static Infrastructure embedded() {
        absoluteClassPath();
        // On SIGTERM the services stop first, then these (Platform#close): the servers must outlive the JVM's hooks.
        RedisServer redis = RedisServer.withOrderlyStopGrace(ORDERLY_STOP_GRACE);
        KafkaServer kafka = KafkaServer.builder().orderlyStopGrace(ORDERLY_STOP_GRACE).build();
        try {
            redis.start();
            kafka.start();
            return new Infrastructure(Mode.embedded, kafka, redis, kafka.bootstrapServers(), redis.uri());
        } catch (RuntimeException e) {
            kafka.close();
            redis.close();
            throw e;
        }
    }

    /**
     * The broker's child JVM runs with this JVM's class path from another directory: a relative entry
     * (e.g. {@code java -jar launcher/target/kickoff.jar}) must become absolute first.
     */
    static void absoluteClassPath() {
        String classPath = System.getProperty("java.class.path", "");
        if (classPath.isEmpty()) {
            return;
        }
        String absolute = Stream.of(classPath.split(File.pathSeparator))
                .map(entry -> entry.isEmpty() ? entry : Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
        System.setProperty("java.class.path", absolute);
    }

    Mode mode() {
        return mode;
    }

    /** Kafka bootstrap servers, or null in memory mode. */
    String bootstrapServers() {
        return bootstrapServers;
    }

    /** The Kafka client settings (TLS, SASL) every client of this process uses; empty if none were given. */
    Map<String, Object> kafkaClientConfig() {
        return kafkaClientConfig;
    }

    /** The Redis URI, or null if there is none. */
    String redisUri() {
        return redisUri;
    }

    /**
     * A bus for one service: the shared in-process bus in memory mode, else a Kafka bus of its own
     * (its own producer and consumers, as a separate process would have), named for broker logs.
     */
    synchronized EventBus bus(String clientId) {
        if (inProcessBus != null) {
            return inProcessBus;
        }
        KafkaEventBus bus = new KafkaEventBus(KafkaBusConfig.of(bootstrapServers).withClientId(clientId)
                .withClientConfig(kafkaClientConfig));
        buses.add(bus);
        return bus;
    }

    /** Lines for the start-up banner: what this process started or uses. */
    List<String> describe() {
        List<String> lines = new ArrayList<>();
        switch (mode) {
            case memory -> lines.add("bus           in-process (no Kafka, no Redis)");
            case embedded -> {
                lines.add("Kafka         " + bootstrapServers + "   (single-node KRaft broker started by kickoff, "
                        + "data deleted on exit)");
                lines.add("Redis         " + redisUri + "   (started by kickoff; the Live State Manager's store)");
            }
            case external -> {
                lines.add("Kafka         " + bootstrapServers + "   (external)");
                lines.add("Redis         " + (redisUri == null ? "none given" : redisUri + "   (external; the Live State Manager's store)"));
            }
        }
        return lines;
    }

    @Override
    public synchronized void close() {
        RuntimeException failure = null;
        for (int i = buses.size() - 1; i >= 0; i--) {
            try {
                buses.get(i).close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        buses.clear();
        if (kafka != null) {
            kafka.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
