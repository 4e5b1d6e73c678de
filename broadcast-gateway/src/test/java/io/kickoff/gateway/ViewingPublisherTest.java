package io.kickoff.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.BusException;
import io.kickoff.bus.BusRecord;
import io.kickoff.bus.EventBus;
import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Subscription;
import io.kickoff.bus.RecordHandler;
import io.kickoff.bus.Topic;
import io.kickoff.protocol.v1.PlaybackState;
import io.kickoff.protocol.v1.Viewing;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the publisher hands the bus, and what it does when the bus refuses. */
class ViewingPublisherTest {
    static final GatewayConfig.ViewingSignals SETTINGS =
            new GatewayConfig.ViewingSignals(Duration.ofSeconds(10), Duration.ofHours(1), 3, 5);

    static Viewing signal(String device, PlaybackState state) {
        return Viewing.newBuilder().setEventId("final").setDeviceId(device).setState(state).build();
    }

    /** A bus that refuses every record while {@code down} is set, and counts the publishes it was asked for. */
    static final class FlakyBus implements EventBus {
        final InProcessEventBus inner = new InProcessEventBus();
        final AtomicBoolean down = new AtomicBoolean();
        final AtomicInteger asked = new AtomicInteger();

        @Override
        public CompletableFuture<Void> publish(Topic topic, String key, byte[] value) {
            asked.incrementAndGet();
            return down.get() ? CompletableFuture.failedFuture(new BusException("down")) : inner.publish(topic, key, value);
        }

        @Override
        public Subscription subscribe(Topic topic, StartFrom from, RecordHandler handler) {
            return inner.subscribe(topic, from, handler);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Test
    void aFlushPublishesAtMostABatchKeyedByDevice() throws Exception {
        try (FlakyBus bus = new FlakyBus(); ViewingPublisher publisher = new ViewingPublisher(bus, SETTINGS, "gw-test")) {
            List<BusRecord> records = new CopyOnWriteArrayList<>();
            bus.subscribe(Topic.VIEWING, StartFrom.NOW, records::add);
            publisher.offer(signal("a", PlaybackState.PLAYING));
            publisher.offer(signal("b", PlaybackState.PLAYING));
            publisher.offer(signal("a", PlaybackState.STOPPED));
            publisher.offer(signal("c", PlaybackState.PLAYING));
            assertThat(bus.asked).hasValue(0);
            publisher.flush();
            await().until(() -> records.size() == 3);
            assertThat(records).extracting(BusRecord::key).containsExactly("a", "b", "a");
            assertThat(Viewing.parseFrom(records.get(2).value()).getState()).isEqualTo(PlaybackState.STOPPED);
            assertThat(publisher.published()).isEqualTo(3);
            assertThat(publisher.queued()).isEqualTo(1);
        }
    }

    @Test
    void aRefusedBatchIsQueuedAgainAndTheQueueStaysBounded() throws Exception {
        try (FlakyBus bus = new FlakyBus(); ViewingPublisher publisher = new ViewingPublisher(bus, SETTINGS, "gw-test")) {
            bus.down.set(true);
            publisher.offer(signal("leaver", PlaybackState.STOPPED));
            publisher.offer(signal("a", PlaybackState.PLAYING));
            publisher.flush();
            assertThat(publisher.queued()).isEqualTo(2);
            assertThat(publisher.published()).isZero();
            for (int i = 0; i < 100; i++) {
                publisher.offer(signal("d" + i, PlaybackState.PLAYING));
                publisher.flush();
            }
            assertThat(publisher.queued()).isEqualTo(5);
            assertThat(publisher.dropped()).isEqualTo(102 - 5);

            bus.down.set(false);
            List<BusRecord> records = new CopyOnWriteArrayList<>();
            bus.subscribe(Topic.VIEWING, StartFrom.NOW, records::add);
            publisher.flush();
            publisher.flush();
            await().until(() -> records.size() == 5);
            // The STOPPED survived the outage; the heartbeats kept are the newest.
            assertThat(records).extracting(BusRecord::key).containsExactly("leaver", "d96", "d97", "d98", "d99");
            assertThat(publisher.published()).isEqualTo(5);
        }
    }
}
