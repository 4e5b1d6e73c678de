package io.kickoff.lsm.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.bus.BusException;
import io.kickoff.bus.EventBus;
import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.RecordHandler;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Subscription;
import io.kickoff.bus.Topic;
import io.kickoff.lsm.event.InMemoryEventStore;
import io.kickoff.lsm.event.LiveEvents;
import io.kickoff.lsm.event.NewEvent;
import io.kickoff.lsm.event.Schedule;
import io.kickoff.lsm.store.InMemoryLeaderLease;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;

class OutboxRelayTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T18:00:00Z"));
    final InMemoryEventStore store = new InMemoryEventStore(clock);
    final LiveEvents events = new LiveEvents(store, clock);
    final Leadership leadership = new Leadership(new InMemoryLeaderLease(clock), "lsm-test", Duration.ofHours(10));

    /** A bus that can be switched off, as Kafka can go away. */
    static final class SwitchableBus implements EventBus {
        final InProcessEventBus inner = new InProcessEventBus();
        volatile boolean down;

        @Override
        public CompletableFuture<Void> publish(Topic topic, String key, byte[] value) {
            return down ? CompletableFuture.failedFuture(new BusException("broker down")) : inner.publish(topic, key, value);
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
    void nothingIsLostOrReorderedWhileTheBusIsDown() throws Exception {
        leadership.renew();
        SwitchableBus bus = new SwitchableBus();
        List<StageUpdate> seen = new CopyOnWriteArrayList<>();
        bus.subscribe(Topic.STAGES, StartFrom.NOW, r -> {
            try {
                seen.add(StageUpdate.parseFrom(r.value()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        OutboxRelay relay = new OutboxRelay(store, bus, leadership, 5_000);
        events.create(new NewEvent("final", "The Final", "", List.of(), new Schedule(Instant.parse("2026-11-21T20:00:00Z"),
                null, Duration.ofMinutes(30), Duration.ofMinutes(5), false)), "test").join();

        bus.down = true;
        events.transition("final", Stage.PREFETCH, null, "op").join();
        events.transition("final", Stage.PRE_SHOW, null, "op").join();
        assertThat(relay.tick()).isZero();
        assertThat(relay.busReachable()).isFalse();
        assertThat(store.outboxStats().join().depth()).isEqualTo(2);

        bus.down = false;
        events.transition("final", Stage.LIVE, null, "op").join();
        // The relay backs off after a failure; once the backoff passes it publishes everything, in order.
        await().until(() -> {
            relay.tick();
            return store.outboxStats().join().depth() == 0;
        });
        await().until(() -> seen.size() == 3);
        assertThat(seen).extracting(StageUpdate::getSeq).containsExactly(1L, 2L, 3L);
        assertThat(relay.busReachable()).isTrue();
        assertThat(relay.published()).isEqualTo(3);
    }

    @Test
    void aFollowerDoesNotRelay() {
        OutboxRelay relay = new OutboxRelay(store, new InProcessEventBus(), leadership, 5_000);
        events.create(new NewEvent("e", "E", "", List.of(), new Schedule(Instant.parse("2026-11-21T20:00:00Z"),
                null, Duration.ofMinutes(30), Duration.ofMinutes(5), false)), "test").join();
        events.transition("e", Stage.LIVE, null, "op").join();
        assertThat(relay.tick()).isZero();
        assertThat(store.outboxStats().join().depth()).isEqualTo(1);
    }
}
