package io.kickoff.prefetch.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.Topic;
import io.kickoff.protocol.v1.AudienceSnapshot;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link BusAudienceFeed} over the in-process bus; over Kafka in {@link BundlePushKafkaIT}. */
class BusAudienceFeedTest extends AudienceFeedContract {
    final InProcessEventBus bus = new InProcessEventBus();
    final BusAudienceFeed feed = new BusAudienceFeed(bus);
    final AtomicInteger markers = new AtomicInteger();

    @AfterEach
    void close() {
        feed.close();
        bus.close();
    }

    @Override
    AudienceFeed feed() {
        return feed;
    }

    @Override
    void publish(AudienceSnapshot snapshot) {
        bus.publish(Topic.AUDIENCE, snapshot.getEventId(), snapshot.toByteArray()).join();
        seen();
    }

    /** The in-process bus delivers one topic in order: once a marker after them is read, so are they. */
    private void seen() {
        String marker = "marker-" + markers.incrementAndGet();
        bus.publish(Topic.AUDIENCE, marker, Snapshots.of(marker, T0, Map.of()).toByteArray()).join();
        await().atMost(Duration.ofSeconds(10)).until(() -> feed.latest(marker).isPresent());
    }

    @Test
    void readsTheSnapshotsPublishedBeforeItStartedAndSkipsUnreadableRecords() {
        try (InProcessEventBus other = new InProcessEventBus()) {
            AudienceSnapshot before = Snapshots.of("final", T0, Map.of("us-en", 7L));
            other.publish(Topic.AUDIENCE, "final", before.toByteArray()).join();
            other.publish(Topic.AUDIENCE, "semi", new byte[] {(byte) 0xff, 0x01}).join();
            try (BusAudienceFeed late = new BusAudienceFeed(other)) {
                late.caughtUp().join();
                assertThat(late.latest("final")).contains(before);
                assertThat(late.latest("semi")).isEmpty();
            }
        }
    }
}
