package io.kickoff.gateway;

import static io.kickoff.gateway.Fixtures.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.BusException;
import io.kickoff.bus.BusRecord;
import io.kickoff.bus.EventBus;
import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.RecordHandler;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Subscription;
import io.kickoff.bus.Topic;
import io.kickoff.protocol.v1.DeliveryReport;
import io.kickoff.protocol.v1.Stage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeliveryReporterTest {
    final InProcessEventBus bus = new InProcessEventBus();
    final DeliveryStats stats = new DeliveryStats("node-a", Fixtures.CLOCK, () -> 3);

    @AfterEach
    void closeBus() {
        bus.close();
    }

    @Test
    void publishesSnapshotsKeyedByNodeId() throws Exception {
        LinkedBlockingQueue<BusRecord> received = new LinkedBlockingQueue<>();
        bus.subscribe(Topic.DELIVERY, StartFrom.NOW, received::add);
        for (int i = 0; i < 3; i++) {
            stats.targeted(update("final", Stage.LIVE, 2), "d" + i);
        }
        try (DeliveryReporter reporter = DeliveryReporter.start(stats, bus, Duration.ofMillis(20))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 2);
            assertThat(reporter.published()).isGreaterThanOrEqualTo(1);
        }
        BusRecord record = received.take();
        assertThat(record.key()).isEqualTo("node-a");
        DeliveryReport report = DeliveryReport.parseFrom(record.value());
        assertThat(report.getNodeId()).isEqualTo("node-a");
        assertThat(report.getConnections()).isEqualTo(3);
        assertThat(report.getEvents(0).getEventId()).isEqualTo("final");
        assertThat(report.getEvents(0).getTargeted()).isEqualTo(3);
    }

    @Test
    void keepsReportingAfterFailedPublishes() {
        AtomicInteger calls = new AtomicInteger();
        LinkedBlockingQueue<BusRecord> received = new LinkedBlockingQueue<>();
        bus.subscribe(Topic.DELIVERY, StartFrom.NOW, received::add);
        EventBus flaky = new EventBus() {
            @Override
            public CompletableFuture<Void> publish(Topic topic, String key, byte[] value) {
                return switch (calls.incrementAndGet()) {
                    case 1 -> CompletableFuture.failedFuture(new BusException("broker unavailable"));
                    case 2 -> throw new BusException("producer closed");
                    default -> bus.publish(topic, key, value);
                };
            }

            @Override
            public Subscription subscribe(Topic topic, StartFrom from, RecordHandler handler) {
                return bus.subscribe(topic, from, handler);
            }

            @Override
            public void close() {
            }
        };
        DeliveryReporter reporter = DeliveryReporter.start(stats, flaky, Duration.ofMillis(10));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> reporter.published() >= 1 && !received.isEmpty());
            assertThat(reporter.failed()).isEqualTo(2);
        } finally {
            reporter.close();
            reporter.close(); // idempotent
        }
    }
}
