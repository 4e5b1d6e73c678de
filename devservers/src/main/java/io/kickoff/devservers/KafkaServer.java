package io.kickoff.devservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one node) on free ports of 127.0.0.1, for
 * development ({@code kickoff kafka}, embedded mode) and for tests, which can stop, kill and restart it.
 *
 * <p>The broker runs in a child JVM so that {@link #kill()} is a real SIGKILL and a restart is a real cold start from
 * disk. Ports and the log directory are kept for the life of this object: after a stop or a kill, {@link #start()}
 * brings the same broker back on the same {@link #bootstrapServers()} with every acknowledged record, so clients only
 * have to reconnect.
 *
 * <p>Topics are not created automatically ({@code auto.create.topics.enable=false}): tests create what they use.
 *
 * <p>Start it with {@link #start()} and stop it with {@link #close()}; tests use it through testkit's {@code TestKafka}
 * extension.
 */
public final class KafkaServer implements DevServer {

    private static final Logger log = LoggerFactory.getLogger(KafkaServer.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path dataDir;
    private final int requestedPort;
    private final Duration orderlyStopGrace;
    private Path workDir;
    private int brokerPort;
    private ChildProcess process;

    /** A broker for tests: free ports, data in a temporary directory deleted by {@link #close()}. */
    public KafkaServer() {
        this(builder());
    }

    private KafkaServer(Builder builder) {
        this.dataDir = builder.dataDir;
        this.requestedPort = builder.port;
        this.orderlyStopGrace = builder.orderlyStopGrace;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings of a broker that is not a throw-away test fixture, e.g. one a person runs for fault drills. */
    public static final class Builder {
        private Path dataDir;
        private int port;
        private Duration orderlyStopGrace = Duration.ZERO;

        private Builder() {
        }

        /**
         * Keeps the broker's configuration and data in this directory, kept on {@link #close()}: a broker started
         * again on it has every record (and its ports, unless {@link #port} names another).
         */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** The client port; 0 (the default) for a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be in 0..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * When this JVM is stopped by a signal, how long the broker is left running for its owner to stop its clients
         * and then {@link #close()} it in order (default zero: killed at once).
         */
        public Builder orderlyStopGrace(Duration grace) {
            this.orderlyStopGrace = grace;
            return this;
        }

        public KafkaServer build() {
            return new KafkaServer(this);
        }
    }

    /**
     * Starts the broker, or starts it again after {@link #stop()} or {@link #kill()} on the same ports with the same
     * data. Does nothing if it is already running. Returns once the broker answers a metadata request as unfenced.
     */
    public synchronized void start() {
        if (process == null) {
            prepare();
        }
        if (process.isAlive()) {
            return;
        }
        long begin = System.nanoTime();
        process.start();
        awaitReady();
        log.info("Kafka up on {} in {} ms (pid {})", bootstrapServers(), (System.nanoTime() - begin) / 1_000_000,
                process.pid());
    }

    /** Shuts the broker down cleanly (SIGTERM), keeping its ports and data. */
    public synchronized void stop() {
        if (process != null) {
            process.stop(STOP_TIMEOUT);
        }
    }

    /** Kills the broker with SIGKILL, as a crash would, keeping its ports and data. */
    public synchronized void kill() {
        if (process != null) {
            process.kill();
        }
    }

    /** {@link #stop()} then {@link #start()}: same ports, same data. */
    public synchronized void restart() {
        stop();
        start();
    }

    /** Whether the broker process is alive (it may still be starting if {@link #start()} has not returned). */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** {@code 127.0.0.1:PORT}; the same for the life of this object, across restarts. */
    public synchronized String bootstrapServers() {
        if (brokerPort == 0) {
            throw new IllegalStateException("KafkaServer is not started");
        }
        return HOST + ":" + brokerPort;
    }

    /** Stops the broker and deletes its data directory, unless it was given one with {@link Builder#dataDir}. */
    @Override
    public synchronized void close() {
        if (process != null) {
            process.stop(STOP_TIMEOUT);
            process = null;
        }
        if (dataDir == null) {
            ChildProcess.deleteRecursively(workDir);
        }
        workDir = null;
        brokerPort = 0;
    }

    @Override
    public String toString() {
        return "KafkaServer[" + (brokerPort == 0 ? "not started" : bootstrapServers()) + "]";
    }

    // ------------------------------------------------------------------ internals

    private void prepare() {
        Path serverProperties;
        int controllerPort;
        try {
            workDir = dataDir != null ? Files.createDirectories(dataDir) : Files.createTempDirectory("kickoff-kafka-");
            serverProperties = workDir.resolve("server.properties");
            // A broker started again on its data keeps its controller address (the quorum's voter) and, unless told
            // otherwise, its client port.
            Properties previous = new Properties();
            if (Files.isRegularFile(serverProperties)) {
                try (var in = Files.newBufferedReader(serverProperties)) {
                    previous.load(in);
                }
            }
            brokerPort = requestedPort != 0 ? requestedPort : portOf(previous.getProperty("advertised.listeners"));
            controllerPort = portOf(previous.getProperty("controller.quorum.voters"));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not prepare a directory for Kafka", e);
        }
        if (brokerPort == 0) {
            brokerPort = ChildProcess.freePort();
        }
        if (controllerPort == 0) {
            controllerPort = ChildProcess.freePort();
        }

        Path logbackXml = workDir.resolve("logback.xml");
        writeProperties(serverProperties, brokerConfig(controllerPort));
        writeString(logbackXml, CHILD_LOGBACK);

        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(
                "-Xms128m", "-Xmx512m",
                "-XX:+UseSerialGC",
                // C1 only: starts faster and leaves the other core to the tests.
                "-XX:TieredStopAtLevel=1",
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true",
                "-Dlogback.configurationFile=" + logbackXml,
                "-cp", System.getProperty("java.class.path"),
                KafkaBrokerMain.class.getName(),
                serverProperties.toString(),
                Uuid.randomUuid().toString()));
        process = new ChildProcess("kafka-broker", cmd, workDir, workDir.resolve("broker.log"), orderlyStopGrace,
                dataDir != null);
    }

    /** The port at the end of a {@code ...HOST:PORT} setting, or 0. */
    private static int portOf(String setting) {
        if (setting == null) {
            return 0;
        }
        try {
            return Integer.parseInt(setting.substring(setting.lastIndexOf(':') + 1).trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private Map<String, String> brokerConfig(int controllerPort) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", "1");
        config.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
        config.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("log.dirs", workDir.resolve("data").toString());
        config.put("auto.create.topics.enable", "false");
        config.put("num.partitions", "1");
        config.put("default.replication.factor", "1");
        config.put("min.insync.replicas", "1");
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "1");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "1");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.put("group.initial.rebalance.delay.ms", "0");
        // After a SIGKILL the restarted controller keeps the old broker registration alive for a whole session
        // timeout and refuses the new one until then (9 s by default), so keep the session short.
        config.put("broker.heartbeat.interval.ms", "500");
        config.put("broker.session.timeout.ms", "2000");
        config.put("num.network.threads", "2");
        config.put("num.io.threads", "4");
        config.put("background.threads", "4");
        return config;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String lastProblem = "the broker port never accepted a connection";
        // Waiting for the port first keeps the admin client from logging a warning for every refused connection.
        while (!ChildProcess.accepts(HOST, brokerPort)) {
            checkStarting(deadline, lastProblem);
            ChildProcess.pause(Duration.ofMillis(50));
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "devservers-readiness");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 50);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        props.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 200);
        try (Admin admin = Admin.create(props)) {
            while (true) {
                checkStarting(deadline, lastProblem);
                try {
                    Collection<Node> nodes = admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                    lastProblem = "describeCluster returned no unfenced broker";
                } catch (ExecutionException | TimeoutException e) {
                    lastProblem = "describeCluster failed: " + (e.getCause() != null ? e.getCause() : e);
                }
                ChildProcess.pause(Duration.ofMillis(50));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Kafka to start", e);
        }
    }

    private void checkStarting(long deadline, String lastProblem) {
        if (!process.isAlive()) {
            throw new IllegalStateException("Kafka broker exited during startup: " + process.describe());
        }
        if (System.nanoTime() > deadline) {
            String description = process.describe();
            process.kill();
            throw new IllegalStateException("Kafka broker on " + bootstrapServers() + " was not ready within "
                    + START_TIMEOUT + " (" + lastProblem + "): " + description);
        }
    }

    private static void writeProperties(Path file, Map<String, String> config) {
        Properties props = new Properties();
        props.putAll(config);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            props.store(out, "generated by io.kickoff.devservers.KafkaServer");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + file, e);
        }
    }

    private static void writeString(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + file, e);
        }
    }

    /**
     * Logging of the child JVM, used when logback is on the classpath: lifecycle lines and every warning go to its log
     * file, whose tail ends up in startup errors.
     */
    private static final String CHILD_LOGBACK = """
            <configuration>
              <statusListener class="ch.qos.logback.core.status.NopStatusListener"/>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
              </appender>
              <logger name="kafka.server.KafkaRaftServer" level="INFO"/>
              <logger name="kafka.server.BrokerServer" level="INFO"/>
              <logger name="kafka.server.ControllerServer" level="INFO"/>
              <root level="WARN"><appender-ref ref="OUT"/></root>
            </configuration>
            """;
}
