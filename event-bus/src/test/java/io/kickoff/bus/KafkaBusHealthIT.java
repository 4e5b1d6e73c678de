package io.kickoff.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kickoff.testkit.TestKafka;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** The Kafka bus tells, within seconds, that the broker is gone and that it is back, and says so once each. */
class KafkaBusHealthIT {
    @RegisterExtension
    static final TestKafka kafka = new TestKafka();

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger busLog = (Logger) LoggerFactory.getLogger(KafkaEventBus.class);

    @BeforeEach
    void captureLog() {
        logged.start();
        busLog.addAppender(logged);
    }

    @AfterEach
    void restore() {
        busLog.detachAppender(logged);
        kafka.start();
    }

    @Test
    void aBrokerOutageMakesTheBusUnavailableWithinSecondsAndLogsOneErrorAndOneRecovery() {
        try (KafkaEventBus bus = new KafkaEventBus(KafkaBusConfig.of(kafka.bootstrapServers())
                .withClientId("health").withUnavailableAfter(Duration.ofSeconds(2)))) {
            // A publish in flight during the outage must not keep the bus looking healthy either.
            bus.publish(new Topic("health-check", true), "k", new byte[] {1}).join();
            assertThat(bus.isAvailable()).isTrue();

            kafka.stop();
            // Far below the producer's two-minute delivery timeout.
            await().atMost(Duration.ofSeconds(20)).until(() -> !bus.isAvailable());
            kafka.start();
            await().atMost(Duration.ofSeconds(30)).until(bus::isAvailable);

            assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.ERROR).singleElement()
                    .satisfies(e -> assertThat(e.getFormattedMessage()).contains("unavailable", kafka.bootstrapServers()));
            assertThat(logged.list).filteredOn(e -> e.getFormattedMessage().contains("available again")).hasSize(1);
        }
    }
}
