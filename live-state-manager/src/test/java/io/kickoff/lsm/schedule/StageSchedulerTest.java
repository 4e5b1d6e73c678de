package io.kickoff.lsm.schedule;

import io.kickoff.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.lsm.event.EventPatch;
import io.kickoff.lsm.event.HistoryEntry;
import io.kickoff.lsm.event.InMemoryEventStore;
import io.kickoff.lsm.event.LiveEvent;
import io.kickoff.lsm.event.LiveEvents;
import io.kickoff.lsm.event.NewEvent;
import io.kickoff.lsm.event.OutboxEntry;
import io.kickoff.lsm.event.Schedule;
import io.kickoff.lsm.store.InMemoryLeaderLease;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scheduler against a clock moved by hand: no sleeps, exact instants. */
class StageSchedulerTest {
    static final Instant T0 = Instant.parse("2026-11-21T18:00:00Z");
    static final Instant START = Instant.parse("2026-11-21T20:00:00Z");

    final MutableClock clock = new MutableClock(T0);
    final InMemoryEventStore store = new InMemoryEventStore(clock);
    final LiveEvents events = new LiveEvents(store, clock);
    final InMemoryLeaderLease lease = new InMemoryLeaderLease(clock);
    final Leadership leadership = new Leadership(lease, "lsm-test", Duration.ofHours(10));
    final StageScheduler scheduler = new StageScheduler(store, events, leadership, clock, 5_000);

    @BeforeEach
    void lead() {
        leadership.renew();
        assertThat(leadership.isLeader()).isTrue();
    }

    void create(String id, boolean autoEnd) {
        events.create(new NewEvent(id, "The Final", "title-1", List.of(), new Schedule(START, START.plus(Duration.ofHours(2)),
                Duration.ofMinutes(30), Duration.ofMinutes(5), autoEnd)), "test").join();
    }

    LiveEvent event(String id) {
        return store.find(id).join().orElseThrow();
    }

    List<StageUpdate> outbox() {
        return store.outbox(1000).join().stream().map(OutboxEntry::stageUpdate).map(bytes -> {
            try {
                return StageUpdate.parseFrom(bytes);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    @Test
    void timersFireAtTheirInstantsAndNotBefore() {
        create("final", true);
        clock.set(START.minus(Duration.ofMinutes(30)).minusMillis(1));
        scheduler.tick();
        assertThat(event("final").stage()).isEqualTo(Stage.SCHEDULED);

        clock.set(START.minus(Duration.ofMinutes(30)));
        scheduler.tick();
        assertThat(event("final").stage()).isEqualTo(Stage.PREFETCH);
        clock.set(START.minus(Duration.ofMinutes(5)));
        scheduler.tick();
        assertThat(event("final").stage()).isEqualTo(Stage.PRE_SHOW);
        clock.set(START);
        scheduler.tick();
        assertThat(event("final").stage()).isEqualTo(Stage.LIVE);
        clock.set(START.plus(Duration.ofHours(2)));
        scheduler.tick();
        assertThat(event("final").stage()).isEqualTo(Stage.ENDED);

        assertThat(outbox()).extracting(StageUpdate::getStage)
                .containsExactly(Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE, Stage.ENDED);
        assertThat(outbox()).extracting(StageUpdate::getSeq).containsExactly(1L, 2L, 3L, 4L);
        assertThat(outbox()).extracting(StageUpdate::getReason).containsOnly("scheduled");
    }

    @Test
    void afterDowntimeEveryDueTransitionFiresAtOnceInOrderEachWithItsOwnSeq() {
        create("final", false);
        clock.set(START.plus(Duration.ofMinutes(1)));   // the scheduler was down through three timers
        scheduler.tick();
        assertThat(event("final").stage()).isEqualTo(Stage.LIVE);
        assertThat(outbox()).extracting(StageUpdate::getStage).containsExactly(Stage.PREFETCH, Stage.PRE_SHOW, Stage.LIVE);
        assertThat(outbox()).extracting(StageUpdate::getSeq).containsExactly(1L, 2L, 3L);
        assertThat(store.history("final").join()).extracting(HistoryEntry::reason)
                .containsExactly("created", "scheduled", "scheduled", "scheduled");
        clock.advance(Duration.ofDays(1));
        scheduler.tick();
        assertThat(event("final").stage()).as("no auto-end").isEqualTo(Stage.LIVE);
    }

    @Test
    void aDelayMovesTheTimersAndIsItselfBroadcast() {
        create("final", false);
        clock.set(START.minus(Duration.ofMinutes(10)));
        scheduler.tick();
        assertThat(event("final").stage()).isEqualTo(Stage.PREFETCH);
        Instant later = START.plus(Duration.ofMinutes(15));
        events.update("final", OptionalLong.empty(), new EventPatch(Optional.empty(), Optional.of(later), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty()), "producer").join();
        clock.set(START);   // the old start: nothing fires now
        scheduler.tick();
        assertThat(event("final").stage()).isEqualTo(Stage.PREFETCH);
        clock.set(later);
        scheduler.tick();
        assertThat(event("final").stage()).isEqualTo(Stage.LIVE);
        assertThat(outbox()).extracting(u -> u.getStage() + ":" + u.getSeq() + ":" + u.getReason())
                .containsExactly("PREFETCH:1:scheduled", "PREFETCH:2:delayed", "PRE_SHOW:3:scheduled", "LIVE:4:scheduled");
    }

    @Test
    void aManualGoLiveOverridesTheTimersWithoutDoubleFiring() {
        create("final", false);
        events.transition("final", Stage.LIVE, null, "producer").join();
        clock.set(START.plus(Duration.ofMinutes(1)));
        scheduler.tick();
        assertThat(outbox()).extracting(StageUpdate::getStage).containsExactly(Stage.LIVE);
    }

    @Test
    void onlyTheLeaderFires() {
        create("final", false);
        Leadership follower = new Leadership(lease, "follower", Duration.ofSeconds(10));
        follower.renew();
        assertThat(follower.isLeader()).isFalse();
        clock.set(START);
        assertThat(new StageScheduler(store, events, follower, clock, 5_000).tick()).isZero();
        assertThat(event("final").stage()).isEqualTo(Stage.SCHEDULED);
    }

    @Test
    void aDeposedLeaderStillBelievingItLeadsHasItsFiringsRefusedByTheStoreAndStepsDown() {
        InMemoryLeaderLease fencedLease = new InMemoryLeaderLease(clock);
        InMemoryEventStore fencedStore = new InMemoryEventStore(clock, fencedLease::currentEpoch);
        LiveEvents fencedEvents = new LiveEvents(fencedStore, clock);
        fencedEvents.create(new NewEvent("final", "The Final", "title-1", List.of(), new Schedule(START,
                START.plus(Duration.ofHours(2)), Duration.ofMinutes(30), Duration.ofMinutes(5), false)), "test").join();
        Leadership deposed = new Leadership(fencedLease, "lsm-a", Duration.ofSeconds(10));
        deposed.renew();
        // Its lease lapses (it was paused) and another instance takes the lease; it has not noticed yet.
        clock.set(START);
        Leadership successor = new Leadership(fencedLease, "lsm-b", Duration.ofSeconds(10));
        successor.renew();
        assertThat(deposed.isLeader()).isTrue();

        new StageScheduler(fencedStore, fencedEvents, deposed, clock, 5_000).tick();

        assertThat(fencedStore.find("final").join().orElseThrow().stage()).isEqualTo(Stage.SCHEDULED);
        assertThat(fencedStore.outbox(10).join()).isEmpty();
        assertThat(deposed.isLeader()).isFalse();
        // The rightful leader fires.
        new StageScheduler(fencedStore, fencedEvents, successor, clock, 5_000).tick();
        assertThat(fencedStore.find("final").join().orElseThrow().stage()).isEqualTo(Stage.LIVE);
    }
}
