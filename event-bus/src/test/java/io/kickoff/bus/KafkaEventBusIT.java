package io.kickoff.bus;

import io.kickoff.testkit.TestKafka;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaEventBusIT extends EventBusContract {

    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    @Override
    protected EventBus newBus() {
        return new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers()).withPartitions(3));
    }
}
