package io.kickoff.lsm.schedule;

import io.kickoff.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.bus.BusException;
import io.kickoff.bus.FencedPublisher;
import io.kickoff.bus.InProcessEventBus;
import io.kickoff.bus.KeyedValue;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Topic;
import io.kickoff.lsm.event.InMemoryEventStore;
import io.kickoff.lsm.event.LiveEvents;
import io.kickoff.lsm.event.OutboxEntry;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OutboxRelayTest {
    static final Duration TTL = Duration.ofSeconds(10);
    static final String GROUP = "lsm-outbox-test";

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T18:00:00Z"));
    final InMemoryLeaderLease lease = new InMemoryLeaderLease(clock);
    final InMemoryEventStore store = new InMemoryEventStore(clock, lease::currentEpoch);
    final LiveEvents events = new LiveEvents(store, clock);
    final Leadership leadership = new Leadership(lease, "lsm-a", TTL);
    final InProcessEventBus bus = new InProcessEventBus();
    final List<StageUpdate> seen = new CopyOnWriteArrayList<>();

    /** A fenced publisher that can be switched off, as Kafka can go away. */
    static final class SwitchablePublisher implements FencedPublisher {
        final FencedPublisher inner;
        volatile boolean down;

        SwitchablePublisher(FencedPublisher inner) {
            this.inner = inner;
        }

        @Override
        public CompletableFuture<Void> claim(long epoch) {
            return down ? CompletableFuture.failedFuture(new BusException("broker down")) : inner.claim(epoch);
        }

        @Override
        public CompletableFuture<Void> publish(Topic topic, List<KeyedValue> records) {
            return down ? CompletableFuture.failedFuture(new BusException("broker down")) : inner.publish(topic, records);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @BeforeEach
    void watchTheBus() {
        bus.subscribe(Topic.STAGES, StartFrom.NOW, r -> {
            try {
                seen.add(StageUpdate.parseFrom(r.value()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        events.create(new NewEvent("final", "The Final", "", List.of(), new Schedule(Instant.parse("2026-11-21T20:00:00Z"),
                null, Duration.ofMinutes(30), Duration.ofMinutes(5), false)), "test").join();
    }

    @AfterEach
    void closeBus() {
        bus.close();
    }

    List<Long> seqs() {
        return seen.stream().map(StageUpdate::getSeq).toList();
    }

    @Test
    void nothingIsLostOrReorderedWhileTheBusIsDown() {
        leadership.renew();
        SwitchablePublisher publisher = new SwitchablePublisher(bus.fencedPublisher(GROUP));
        OutboxRelay relay = new OutboxRelay(store, publisher, leadership, 5_000);

        publisher.down = true;
        events.transition("final", Stage.PREFETCH, null, "op").join();
        events.transition("final", Stage.PRE_SHOW, null, "op").join();
        assertThat(relay.tick()).isZero();
        assertThat(relay.busReachable()).isFalse();
        assertThat(store.outboxStats().join().depth()).isEqualTo(2);

        publisher.down = false;
        events.transition("final", Stage.LIVE, null, "op").join();
        // The relay backs off after a failure; once the backoff passes it publishes everything, in order.
        await().until(() -> {
            relay.tick();
            return store.outboxStats().join().depth() == 0;
        });
        await().until(() -> seen.size() == 3);
        assertThat(seqs()).containsExactly(1L, 2L, 3L);
        assertThat(relay.busReachable()).isTrue();
        assertThat(relay.published()).isEqualTo(3);
    }

    @Test
    void failedRoundsAreCountedAndEveryPublishedBatchIsReportedWithItsEntries() {
        leadership.renew();
        SwitchablePublisher publisher = new SwitchablePublisher(bus.fencedPublisher(GROUP));
        List<OutboxEntry> reported = new CopyOnWriteArrayList<>();
        OutboxRelay relay = new OutboxRelay(store, publisher, leadership, 5_000, () -> { }, OutboxRelay.BeforePublish.NONE,
                reported::addAll);

        publisher.down = true;
        events.transition("final", Stage.PREFETCH, null, "op").join();
        assertThat(relay.tick()).isZero();
        assertThat(relay.failures()).isEqualTo(1);
        assertThat(reported).isEmpty();

        publisher.down = false;
        await().until(() -> {
            relay.tick();
            return store.outboxStats().join().depth() == 0;
        });
        assertThat(reported).singleElement().satisfies(e -> {
            assertThat(e.eventId()).isEqualTo("final");
            assertThat(e.enqueuedAt()).isEqualTo(clock.instant());
        });
        assertThat(relay.failures()).isEqualTo(1);
    }

    @Test
    void aFollowerDoesNotRelay() {
        OutboxRelay relay = new OutboxRelay(store, bus.fencedPublisher(GROUP), leadership, 5_000);
        events.transition("final", Stage.LIVE, null, "op").join();
        assertThat(relay.tick()).isZero();
        assertThat(store.outboxStats().join().depth()).isEqualTo(1);
    }

    @Test
    void aLeaderStalledBetweenReadingAndPublishingIsFencedOnceAnotherHasTakenOverAndStepsDown() {
        Leadership successor = new Leadership(lease, "lsm-b", TTL);
        OutboxRelay successorRelay = new OutboxRelay(store, bus.fencedPublisher(GROUP), successor, 5_000);
        boolean[] stalled = {false};
        OutboxRelay stalledRelay = new OutboxRelay(store, bus.fencedPublisher(GROUP), leadership, 5_000, () -> { }, batch -> {
            if (stalled[0]) {
                return;
            }
            stalled[0] = true;
            // While this leader is stalled holding seq 1, its lease lapses and the other instance takes over,
            // publishes seq 1 from the outbox and then a newer seq 2.
            clock.advance(TTL.plusSeconds(1));
            successor.renew();
            assertThat(successor.isLeader()).isTrue();
            assertThat(successorRelay.tick()).isEqualTo(1);
            events.transition("final", Stage.PRE_SHOW, null, "op").join();
            assertThat(successorRelay.tick()).isEqualTo(1);
        });
        leadership.renew();
        events.transition("final", Stage.PREFETCH, null, "op").join();

        assertThat(stalledRelay.tick()).isZero();

        await().until(() -> seen.size() == 2);
        assertThat(seqs()).containsExactly(1L, 2L);
        assertThat(leadership.isLeader()).isFalse();
        assertThat(stalledRelay.published()).isZero();
        assertThat(store.outboxStats().join().depth()).isZero();
        // Stepped down: it neither relays nor claims again in this term.
        events.transition("final", Stage.LIVE, null, "op").join();
        assertThat(stalledRelay.tick()).isZero();
        assertThat(successorRelay.tick()).isEqualTo(1);
        await().until(() -> seen.size() == 3);
        assertThat(seqs()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aDeposedLeaderWhoseAcknowledgementTheStoreRefusesStepsDownAndLeavesTheEntryForTheNextLeader() {
        Leadership successor = new Leadership(lease, "lsm-b", TTL);
        OutboxRelay relay = new OutboxRelay(store, bus.fencedPublisher(GROUP), leadership, 5_000, () -> { }, batch -> {
            // The lease passes on while the batch is on its way (the successor has not claimed the bus yet).
            clock.advance(TTL.plusSeconds(1));
            successor.renew();
        });
        leadership.renew();
        events.transition("final", Stage.PREFETCH, null, "op").join();

        assertThat(relay.tick()).isZero();

        assertThat(leadership.isLeader()).isFalse();
        assertThat(store.outboxStats().join().depth()).isEqualTo(1);
        OutboxRelay successorRelay = new OutboxRelay(store, bus.fencedPublisher(GROUP), successor, 5_000);
        assertThat(successorRelay.tick()).isEqualTo(1);
        // Published twice (the same update, seq 1): at least once, and never an older one after a newer one.
        await().until(() -> seen.size() == 2);
        assertThat(seqs()).containsExactly(1L, 1L);
    }

    @Test
    void anInstanceThatSteppedDownLeadsAgainOnlyInANewTermAndThenClaimsAgain() {
        leadership.renew();
        long first = leadership.fencingToken();
        leadership.stepDown("test");
        assertThat(leadership.isLeader()).isFalse();

        leadership.renew();   // the lease was given up, so this takes it anew
        assertThat(leadership.isLeader()).isTrue();
        assertThat(leadership.fencingToken()).isGreaterThan(first);

        OutboxRelay relay = new OutboxRelay(store, bus.fencedPublisher(GROUP), leadership, 5_000);
        events.transition("final", Stage.LIVE, null, "op").join();
        assertThat(relay.tick()).isEqualTo(1);
    }

    @Test
    void aRelayThatStopsLeadingNoLongerReportsTheBusUnreachable() {
        leadership.renew();
        SwitchablePublisher publisher = new SwitchablePublisher(bus.fencedPublisher(GROUP));
        OutboxRelay relay = new OutboxRelay(store, publisher, leadership, 5_000);
        publisher.down = true;
        relay.tick();
        assertThat(relay.busReachable()).isFalse();

        leadership.stepDown("test");
        relay.tick();

        assertThat(relay.busReachable()).isTrue();
    }
}
