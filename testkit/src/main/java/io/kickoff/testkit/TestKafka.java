package io.kickoff.testkit;

import io.kickoff.devservers.KafkaServer;

/**
 * A real Kafka broker for a test class (devservers' {@link KafkaServer}), started before its first test and closed
 * after its last; fault tests can stop, kill and restart it. Use it as
 * {@code @RegisterExtension static final TestKafka kafka = new TestKafka();}.
 */
public final class TestKafka extends ClassScopedServer<KafkaServer> {

    /** A broker on free ports, its data in a temporary directory deleted on {@link #close()}. */
    public TestKafka() {
        this(new KafkaServer());
    }

    public TestKafka(KafkaServer server) {
        super(server);
    }

    public String bootstrapServers() {
        return server.bootstrapServers();
    }
}
