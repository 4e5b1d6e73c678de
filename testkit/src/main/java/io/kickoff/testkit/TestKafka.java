package io.kickoff.testkit;

import io.kickoff.devservers.KafkaServer;

/**
 * A real Kafka broker for a test class (devservers' {@link KafkaServer}), started before its first test and closed
 * after its last; fault tests can stop, kill and restart it. Use it as
 * {@code @RegisterExtension static final TestKafka kafka = new TestKafka();}.
 */
public final class TestKafka extends ClassScopedServer {
    private final KafkaServer server;

    /** A broker on free ports, its data in a temporary directory deleted on {@link #close()}. */
    public TestKafka() {
        this(new KafkaServer());
    }

    public TestKafka(KafkaServer server) {
        this.server = server;
    }

    @Override
    public void start() {
        server.start();
    }

    /** Stops the broker in an orderly way; {@link #start()} brings it back on the same ports with the same data. */
    public void stop() {
        server.stop();
    }

    /** Kills the broker (SIGKILL); {@link #start()} brings it back with every acknowledged record. */
    public void kill() {
        server.kill();
    }

    public void restart() {
        server.restart();
    }

    public boolean isRunning() {
        return server.isRunning();
    }

    public String bootstrapServers() {
        return server.bootstrapServers();
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return server.toString();
    }
}
