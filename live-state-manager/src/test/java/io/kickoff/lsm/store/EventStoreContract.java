package io.kickoff.lsm.store;

import io.kickoff.testkit.MutableClock;
import static io.kickoff.lsm.store.Futures.done;
import static io.kickoff.lsm.store.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kickoff.lsm.event.Commit;
import io.kickoff.lsm.event.DeposedLeaderException;
import io.kickoff.lsm.event.LeaderLease;
import io.kickoff.lsm.event.EventExistsException;
import io.kickoff.lsm.event.EventStore;
import io.kickoff.lsm.event.EventStore.OutboxStats;
import io.kickoff.lsm.event.HistoryEntry;
import io.kickoff.lsm.event.InvalidScheduleException;
import io.kickoff.lsm.event.LiveEvent;
import io.kickoff.lsm.event.OutboxEntry;
import io.kickoff.lsm.event.Page;
import io.kickoff.lsm.event.Schedule;
import io.kickoff.lsm.event.UnknownEventException;
import io.kickoff.lsm.event.VersionConflictException;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EventStore} must do, run against each implementation so that memory mode and the Redis modes
 * cannot drift apart. Subclasses provide an empty store whose outbox is stamped by {@link #clock}.
 */
abstract class EventStoreContract {
    static final Instant NOW = Instant.parse("2030-06-01T18:00:00Z");
    static final Instant FAR_FUTURE = NOW.plus(Duration.ofDays(3650));
    static final Duration HOUR = Duration.ofHours(1);
    static final Duration MINUTE = Duration.ofMinutes(1);

    protected final MutableClock clock = new MutableClock(NOW);

    /** The store under test: empty at the start of each test. */
    protected abstract EventStore store();

    /** The leader lease whose fencing token the store checks (for Redis: on the same key prefix). */
    protected abstract LeaderLease lease();

    /** Another client of the same data (another connection, for Redis); by default the same store. */
    protected EventStore otherClient() {
        return store();
    }

    /** Lets {@code duration} pass as the store sees time: moves {@link #clock}, or waits for real time to pass. */
    protected abstract void letTimePass(Duration duration);


    // ------------------------------------------------------------------ fixtures

    static Schedule schedule(Instant start) {
        return new Schedule(start, start.plus(Duration.ofHours(2)), Duration.ofMinutes(30), Duration.ofMinutes(5), true);
    }

    static LiveEvent event(String id, Instant start) {
        return LiveEvent.scheduled(id, "Event " + id, "title-" + id, List.of("all"), schedule(start), NOW);
    }

    static HistoryEntry line(LiveEvent event, String reason) {
        return new HistoryEntry(event.seq(), event.version(), event.stage(), reason, "tester", event.updatedAt(),
                event.schedule().start());
    }

    static StageUpdate update(LiveEvent event, String reason) {
        return StageUpdate.newBuilder()
                .setEventId(event.id())
                .setStage(event.stage())
                .setSeq(event.seq())
                .setIssuedAt(Timestamps.of(event.updatedAt()))
                .setScheduledStart(Timestamps.of(event.schedule().start()))
                .setReason(reason)
                .addAllSegments(event.segments())
                .build();
    }

    LiveEvent create(LiveEvent event) {
        return done(store().create(event, line(event, "created")));
    }

    LiveEvent create(String id, Instant start) {
        return create(event(id, start));
    }

    /** A broadcast stage change, as the state machine makes it. */
    Commit move(LiveEvent current, Stage to) {
        LiveEvent next = current.movedTo(to, clock.instant());
        return new Commit(next, current.version(), line(next, "manual"), Optional.of(update(next, "manual")));
    }

    /** A change that is not broadcast: same seq, one more version. */
    Commit retitle(LiveEvent current, String title) {
        LiveEvent next = new LiveEvent(current.id(), title, current.catalogTitleId(), current.segments(),
                current.schedule(), current.stage(), current.seq(), current.version() + 1, current.bundleVersion(),
                clock.instant());
        return new Commit(next, current.version(), line(next, "retitled"), Optional.empty());
    }

    /** A delay or an advance: the schedule (and so the timers) move, and it is broadcast. */
    Commit reschedule(LiveEvent current, Instant start) {
        LiveEvent next = new LiveEvent(current.id(), current.title(), current.catalogTitleId(), current.segments(),
                current.schedule().withStart(start), current.stage(), current.seq() + 1, current.version() + 1,
                current.bundleVersion(), clock.instant());
        return new Commit(next, current.version(), line(next, "delayed"), Optional.of(update(next, "delayed")));
    }

    LiveEvent commit(Commit commit) {
        return done(store().commit(commit));
    }

    List<String> ids(Page<LiveEvent> page) {
        return page.items().stream().map(LiveEvent::id).toList();
    }

    List<OutboxEntry> outbox() {
        return done(store().outbox(100));
    }

    static StageUpdate parse(OutboxEntry entry) {
        try {
            return StageUpdate.parseFrom(entry.stageUpdate());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError("outbox entry " + entry.id() + " is not a StageUpdate", e);
        }
    }


    // ------------------------------------------------------------------ create and find

    @Test
    void createdEventIsFoundExactlyAsGiven() {
        // Odd nanoseconds everywhere: nothing may be rounded on the way to storage and back.
        Instant start = NOW.plus(Duration.ofHours(3)).plusNanos(123_456_789);
        Schedule schedule = new Schedule(start, start.plus(Duration.ofMinutes(95)).plusNanos(1),
                Duration.ofMinutes(30).plusNanos(7), Duration.ofMinutes(5).plusMillis(3), true);
        LiveEvent event = LiveEvent.scheduled("title-fight", "Title fight", "t-42", List.of("us", "ca"), schedule,
                NOW.plusNanos(999));

        assertThat(done(store().create(event, line(event, "created")))).isEqualTo(event);

        assertThat(done(store().find("title-fight"))).contains(event);
        assertThat(done(store().find("no-such-event"))).isEmpty();
        assertThat(done(store().history("title-fight"))).containsExactly(line(event, "created"));
    }

    @Test
    void creatingAnExistingIdFailsAndKeepsTheFirst() {
        LiveEvent first = create("derby", NOW.plus(HOUR));
        LiveEvent second = LiveEvent.scheduled("derby", "Another derby", "", List.of(),
                schedule(NOW.plus(HOUR.multipliedBy(5))), NOW.plusSeconds(1));

        assertThat(failure(store().create(second, line(second, "created")))).isInstanceOf(EventExistsException.class);

        assertThat(done(store().find("derby"))).contains(first);
        assertThat(done(store().history("derby"))).containsExactly(line(first, "created"));
        assertThat(ids(done(store().list(Optional.empty(), "", 10)))).containsExactly("derby");
        assertThat(done(store().due(FAR_FUTURE, 10))).containsExactly("derby");
    }

    // ------------------------------------------------------------------ commit

    @Test
    void commitAtTheExpectedVersionWritesEventHistoryOutboxAndIndexes() {
        LiveEvent created = create("final", NOW.plus(HOUR));
        clock.advance(MINUTE);
        Commit commit = move(created, Stage.PREFETCH);

        assertThat(done(store().commit(commit))).isEqualTo(commit.event());

        assertThat(done(store().find("final"))).contains(commit.event());
        assertThat(done(store().history("final"))).containsExactly(line(created, "created"), commit.history());
        List<OutboxEntry> outbox = outbox();
        assertThat(outbox).hasSize(1);
        assertThat(outbox.get(0).eventId()).isEqualTo("final");
        assertThat(outbox.get(0).enqueuedAt()).isEqualTo(clock.instant());
        assertThat(parse(outbox.get(0))).isEqualTo(commit.update().orElseThrow());
        assertThat(ids(done(store().list(Optional.of(Stage.PREFETCH), "", 10)))).containsExactly("final");
        assertThat(ids(done(store().list(Optional.of(Stage.SCHEDULED), "", 10)))).isEmpty();
    }

    @Test
    void commitAtAStaleVersionConflictsAndChangesNothing() {
        LiveEvent created = create("final", NOW.plus(HOUR));
        Commit first = move(created, Stage.PREFETCH);
        commit(first);
        List<String> dueBefore = done(store().due(FAR_FUTURE, 10));

        Commit stale = move(created, Stage.CANCELLED);
        Throwable conflict = failure(store().commit(stale));

        assertThat(conflict).isInstanceOf(VersionConflictException.class).hasMessageContaining("version 2, not 1");
        assertThat(done(store().find("final"))).contains(first.event());
        assertThat(done(store().history("final"))).containsExactly(line(created, "created"), first.history());
        assertThat(outbox()).extracting(OutboxEntry::eventId).containsExactly("final");
        assertThat(parse(outbox().get(0)).getStage()).isEqualTo(Stage.PREFETCH);
        assertThat(done(store().due(FAR_FUTURE, 10))).isEqualTo(dueBefore);
        assertThat(ids(done(store().list(Optional.of(Stage.CANCELLED), "", 10)))).isEmpty();
        assertThat(ids(done(store().list(Optional.of(Stage.PREFETCH), "", 10)))).containsExactly("final");
    }

    @Test
    void commitToAnUnknownEventFailsAndWritesNothing() {
        Commit ghost = move(event("ghost", NOW.plus(HOUR)), Stage.PREFETCH);

        assertThat(failure(store().commit(ghost))).isInstanceOf(UnknownEventException.class);

        assertThat(done(store().find("ghost"))).isEmpty();
        assertThat(done(store().history("ghost"))).isEmpty();
        assertThat(outbox()).isEmpty();
        assertThat(done(store().list(Optional.empty(), "", 10)).items()).isEmpty();
        assertThat(done(store().due(FAR_FUTURE, 10))).isEmpty();
    }

    @Test
    void commitWithoutStageUpdateAddsNoOutboxEntry() {
        LiveEvent created = create("quiet", NOW.plus(HOUR));
        Commit retitled = retitle(created, "A better title");

        commit(retitled);

        assertThat(done(store().find("quiet")).map(LiveEvent::title)).contains("A better title");
        assertThat(done(store().history("quiet"))).extracting(HistoryEntry::reason)
                .containsExactly("created", "retitled");
        assertThat(outbox()).isEmpty();
        assertThat(done(store().outboxStats())).isEqualTo(new OutboxStats(0, Optional.empty()));
    }

    @Test
    void historyKeepsEveryChangeInOrder() {
        LiveEvent event = create("season-opener", NOW.plus(HOUR));
        List<HistoryEntry> expected = new ArrayList<>(List.of(line(event, "created")));
        List<Function<LiveEvent, Commit>> changes = List.of(e -> move(e, Stage.PREFETCH),
                e -> retitle(e, "Season opener, live"), e -> move(e, Stage.PRE_SHOW), e -> move(e, Stage.LIVE),
                e -> move(e, Stage.ENDED));
        LiveEvent current = event;
        for (Function<LiveEvent, Commit> change : changes) {
            clock.advance(MINUTE);
            Commit commit = change.apply(current);
            current = commit(commit);
            expected.add(commit.history());
        }

        List<HistoryEntry> history = done(store().history("season-opener"));
        assertThat(history).containsExactlyElementsOf(expected);
        assertThat(history).extracting(HistoryEntry::version).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void parallelCommitsAtTheSameVersionHaveExactlyOneWinner() throws Exception {
        LiveEvent created = create("race", NOW.plus(HOUR));
        int contenders = 16;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<CompletableFuture<LiveEvent>>> submitted = new ArrayList<>();
            for (int i = 0; i < contenders; i++) {
                // Each contender writes something different, so the winner can be told from the others.
                LiveEvent next = new LiveEvent("race", "Contender " + i, created.catalogTitleId(), created.segments(),
                        created.schedule(), Stage.PREFETCH, created.seq() + 1, created.version() + 1, "", NOW);
                Commit commit = new Commit(next, created.version(), line(next, "contender-" + i),
                        Optional.of(update(next, "contender-" + i)));
                EventStore client = i % 2 == 0 ? store() : otherClient();
                submitted.add(pool.submit(() -> {
                    go.await();
                    return client.commit(commit);
                }));
            }
            go.countDown();
            List<LiveEvent> winners = new ArrayList<>();
            int conflicts = 0;
            for (Future<CompletableFuture<LiveEvent>> future : submitted) {
                CompletableFuture<LiveEvent> result = future.get();
                if (result.handle((ok, error) -> error == null).get()) {
                    winners.add(done(result));
                } else {
                    assertThat(failure(result)).isInstanceOf(VersionConflictException.class);
                    conflicts++;
                }
            }

            assertThat(winners).hasSize(1);
            assertThat(conflicts).isEqualTo(contenders - 1);
            LiveEvent winner = winners.get(0);
            assertThat(done(store().find("race"))).contains(winner);
            List<HistoryEntry> history = done(store().history("race"));
            assertThat(history).hasSize(2);
            assertThat(history.get(1).reason()).isEqualTo("contender-" + winner.title().substring("Contender ".length()));
            assertThat(outbox()).hasSize(1);
            assertThat(parse(outbox().get(0)).getReason()).isEqualTo(history.get(1).reason());
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ listing

    @Test
    void listingPaginatesByIdWithACursor() {
        for (String id : List.of("e-05", "e-01", "e-07", "e-03", "e-02", "e-06", "e-04")) {
            create(id, NOW.plus(HOUR));
        }

        Page<LiveEvent> first = done(store().list(Optional.empty(), "", 3));
        Page<LiveEvent> second = done(store().list(Optional.empty(), first.nextCursor(), 3));
        Page<LiveEvent> third = done(store().list(Optional.empty(), second.nextCursor(), 3));

        assertThat(ids(first)).containsExactly("e-01", "e-02", "e-03");
        assertThat(first.nextCursor()).isEqualTo("e-03");
        assertThat(ids(second)).containsExactly("e-04", "e-05", "e-06");
        assertThat(second.nextCursor()).isEqualTo("e-06");
        assertThat(ids(third)).containsExactly("e-07");
        assertThat(third.nextCursor()).isEmpty();
        // A page that ends exactly at the last event is the last page.
        Page<LiveEvent> exact = done(store().list(Optional.empty(), "e-04", 3));
        assertThat(ids(exact)).containsExactly("e-05", "e-06", "e-07");
        assertThat(exact.nextCursor()).isEmpty();
        assertThat(first.items().get(0)).isEqualTo(event("e-01", NOW.plus(HOUR)));
    }

    @Test
    void listingByStagePaginatesWithinTheStageAndFollowsStageChanges() {
        List<LiveEvent> events = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            events.add(create("a-" + i, NOW.plus(HOUR)));
        }
        for (int i : new int[] {2, 3, 5, 6}) {
            commit(move(events.get(i - 1), Stage.PREFETCH));
        }
        LiveEvent sixInPrefetch = done(store().find("a-6")).orElseThrow();
        commit(move(sixInPrefetch, Stage.PRE_SHOW));

        Page<LiveEvent> first = done(store().list(Optional.of(Stage.PREFETCH), "", 2));
        Page<LiveEvent> second = done(store().list(Optional.of(Stage.PREFETCH), first.nextCursor(), 2));

        assertThat(ids(first)).containsExactly("a-2", "a-3");
        assertThat(first.nextCursor()).isEqualTo("a-3");
        assertThat(ids(second)).containsExactly("a-5");
        assertThat(second.nextCursor()).isEmpty();
        assertThat(second.items()).allSatisfy(e -> assertThat(e.stage()).isEqualTo(Stage.PREFETCH));
        assertThat(ids(done(store().list(Optional.of(Stage.SCHEDULED), "", 10)))).containsExactly("a-1", "a-4");
        assertThat(ids(done(store().list(Optional.of(Stage.PRE_SHOW), "", 10)))).containsExactly("a-6");
        Page<LiveEvent> none = done(store().list(Optional.of(Stage.LIVE), "", 10));
        assertThat(none.items()).isEmpty();
        assertThat(none.nextCursor()).isEmpty();
    }

    @Test
    void nonPositiveLimitsAreRefused() {
        assertThat(failure(store().list(Optional.empty(), "", 0))).isInstanceOf(IllegalArgumentException.class);
        assertThat(failure(store().due(NOW, 0))).isInstanceOf(IllegalArgumentException.class);
        assertThat(failure(store().outbox(0))).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ timers

    @Test
    void dueListsEventsWhoseNextTimerHasComeSoonestFirst() {
        create("late", NOW.plus(HOUR.multipliedBy(3)));   // PREFETCH at +2h30
        create("soon", NOW.plus(HOUR));                    // PREFETCH at +30m
        create("mid", NOW.plus(HOUR.multipliedBy(2)));     // PREFETCH at +1h30
        create("also-soon", NOW.plus(HOUR));               // same time as "soon": ties go by id

        assertThat(done(store().due(NOW, 10))).isEmpty();
        assertThat(done(store().due(NOW.plus(MINUTE.multipliedBy(30)).minusMillis(1), 10))).isEmpty();
        assertThat(done(store().due(NOW.plus(MINUTE.multipliedBy(30)), 10))).containsExactly("also-soon", "soon");
        assertThat(done(store().due(NOW.plus(MINUTE.multipliedBy(150)), 10)))
                .containsExactly("also-soon", "soon", "mid", "late");
        assertThat(done(store().due(NOW.plus(MINUTE.multipliedBy(150)), 2))).containsExactly("also-soon", "soon");
    }

    @Test
    void timersFollowScheduleAndStageChanges() {
        LiveEvent event = create("shifty", NOW.plus(HOUR));
        Instant prefetch = NOW.plus(MINUTE.multipliedBy(30));
        assertThat(done(store().due(prefetch, 10))).containsExactly("shifty");

        // A delay of one hour moves the PREFETCH timer with it.
        event = commit(reschedule(event, NOW.plus(HOUR.multipliedBy(2))));
        assertThat(done(store().due(prefetch, 10))).isEmpty();
        assertThat(done(store().due(prefetch.plus(HOUR), 10))).containsExactly("shifty");

        // In PREFETCH the next timer is PRE_SHOW, five minutes before the start.
        event = commit(move(event, Stage.PREFETCH));
        Instant preShow = NOW.plus(MINUTE.multipliedBy(115));
        assertThat(done(store().due(preShow.minusMillis(1), 10))).isEmpty();
        assertThat(done(store().due(preShow, 10))).containsExactly("shifty");

        // LIVE with auto-end: the timer is the expected end.
        event = commit(move(commit(move(event, Stage.PRE_SHOW)), Stage.LIVE));
        Instant end = event.schedule().expectedEnd();
        assertThat(done(store().due(end.minusMillis(1), 10))).isEmpty();
        assertThat(done(store().due(end, 10))).containsExactly("shifty");

        // Ended: no timer any more, so the event leaves the index.
        commit(move(event, Stage.ENDED));
        assertThat(done(store().due(FAR_FUTURE, 10))).isEmpty();
    }

    @Test
    void anEventWithoutAutoEndLeavesTheTimerIndexWhenLive() {
        Instant start = NOW.plus(HOUR);
        LiveEvent event = create(LiveEvent.scheduled("open-ended", "Open ended", "", List.of(),
                new Schedule(start, null, Duration.ofMinutes(30), Duration.ofMinutes(5), false), NOW));
        LiveEvent other = create("other", NOW.plus(HOUR.multipliedBy(4)));

        event = commit(move(event, Stage.LIVE));

        assertThat(event.nextTimer()).isEmpty();
        assertThat(done(store().due(FAR_FUTURE, 10))).containsExactly(other.id());
        commit(move(other, Stage.CANCELLED));
        assertThat(done(store().due(FAR_FUTURE, 10))).isEmpty();
    }

    // ------------------------------------------------------------------ outbox

    @Test
    void outboxKeepsInsertionOrderAndForgetsWhatWasRemoved() {
        LiveEvent a = create("o-a", NOW.plus(HOUR));
        LiveEvent b = create("o-b", NOW.plus(HOUR));
        Instant t1 = clock.instant();
        a = commit(move(a, Stage.PREFETCH));
        clock.advance(Duration.ofSeconds(1));
        Instant t2 = clock.instant();
        commit(move(b, Stage.PREFETCH));
        clock.advance(Duration.ofSeconds(1));
        Instant t3 = clock.instant();
        commit(move(a, Stage.PRE_SHOW));

        List<OutboxEntry> all = outbox();
        assertThat(all).extracting(OutboxEntry::eventId).containsExactly("o-a", "o-b", "o-a");
        assertThat(all).extracting(OutboxEntry::enqueuedAt).containsExactly(t1, t2, t3);
        assertThat(all).extracting(e -> parse(e).getStage())
                .containsExactly(Stage.PREFETCH, Stage.PREFETCH, Stage.PRE_SHOW);
        assertThat(all.get(0).id()).isLessThan(all.get(1).id());
        assertThat(all.get(1).id()).isLessThan(all.get(2).id());
        assertThat(done(store().outbox(2))).extracting(OutboxEntry::id).containsExactly(all.get(0).id(), all.get(1).id());
        assertThat(done(store().outboxStats())).isEqualTo(new OutboxStats(3, Optional.of(t1)));

        done(store().removeFromOutbox(all.subList(0, 2), 0));

        assertThat(outbox()).extracting(OutboxEntry::id).containsExactly(all.get(2).id());
        assertThat(done(store().outboxStats())).isEqualTo(new OutboxStats(1, Optional.of(t3)));

        done(store().removeFromOutbox(List.of(all.get(2)), 0));
        done(store().removeFromOutbox(List.of(all.get(2)), 0));   // removing twice is harmless
        done(store().removeFromOutbox(List.of(), 0));
        assertThat(outbox()).isEmpty();
        assertThat(done(store().outboxStats())).isEqualTo(new OutboxStats(0, Optional.empty()));

        // Ids keep growing after the outbox ran empty, so a relay never mistakes a new entry for an old one.
        commit(move(done(store().find("o-b")).orElseThrow(), Stage.PRE_SHOW));
        assertThat(outbox()).singleElement().satisfies(e -> assertThat(e.id()).isGreaterThan(all.get(2).id()));
    }

    // ------------------------------------------------------------------ fencing

    @Test
    void leaderOnlyWritesWithAStaleFencingTokenAreRefusedAndWriteNothing() {
        long deposed = done(lease().acquireOrRenew("lsm-a", Duration.ofSeconds(30))).orElseThrow();
        done(lease().release("lsm-a"));
        long current = done(lease().acquireOrRenew("lsm-b", Duration.ofSeconds(30))).orElseThrow();
        LiveEvent event = commit(move(create("fenced", NOW.plus(HOUR)), Stage.PREFETCH));
        List<OutboxEntry> waiting = outbox();

        Commit stale = move(event, Stage.PRE_SHOW);
        Commit firedByDeposed = new Commit(stale.event(), stale.expectedVersion(), stale.history(), stale.update(),
                OptionalLong.of(deposed));
        assertThat(failure(store().commit(firedByDeposed))).isInstanceOfSatisfying(DeposedLeaderException.class,
                e -> assertThat(e.current()).isEqualTo(current));
        assertThat(failure(store().removeFromOutbox(waiting, deposed))).isInstanceOf(DeposedLeaderException.class);

        assertThat(done(store().find("fenced"))).contains(event);
        assertThat(done(store().history("fenced"))).hasSize(2);
        assertThat(outbox()).extracting(OutboxEntry::id).containsExactly(waiting.get(0).id());

        // The current leader's writes, and producers' (unfenced) ones, go through.
        LiveEvent fired = commit(new Commit(stale.event(), stale.expectedVersion(), stale.history(), stale.update(),
                OptionalLong.of(current)));
        assertThat(fired.stage()).isEqualTo(Stage.PRE_SHOW);
        done(store().removeFromOutbox(waiting, current));
        assertThat(outbox()).extracting(OutboxEntry::eventId).containsExactly("fenced");
        assertThat(commit(move(fired, Stage.LIVE)).stage()).isEqualTo(Stage.LIVE);
    }

    // ------------------------------------------------------------------ health

    @Test
    void pingAnswers() {
        assertThat(done(store().ping())).isNull();
    }

    // ------------------------------------------------------------------ the time range

    @Test
    void aScheduleWhoseStagesFallOutsideTheTimeRangeNeverReachesTheStore() {
        Instant start = NOW.plus(HOUR);
        assertThatThrownBy(() -> new Schedule(start, null, Duration.parse("PT2562047788015215H"), Duration.ofMinutes(5), false))
                .isInstanceOfSatisfying(InvalidScheduleException.class, e -> assertThat(e.field()).isEqualTo("prefetch_lead"));
        assertThatThrownBy(() -> new Schedule(Instant.parse("0000-06-01T00:00:00Z"), null, MINUTE, MINUTE, false))
                .isInstanceOfSatisfying(InvalidScheduleException.class, e -> assertThat(e.field()).isEqualTo("scheduled_start"));
        assertThatThrownBy(() -> new Schedule(start, Instant.parse("+10000-01-01T00:00:00Z"), MINUTE, MINUTE, false))
                .isInstanceOfSatisfying(InvalidScheduleException.class, e -> assertThat(e.field()).isEqualTo("expected_end"));

        assertThat(done(store().list(Optional.empty(), "", 10)).items()).isEmpty();
    }

    @Test
    void eventsAtTheEdgesOfTheTimeRangeAreStoredAndEveryViewOfThemWorks() {
        Schedule earliest = new Schedule(Instant.parse("0001-01-01T00:30:00Z"), null, Duration.ofMinutes(30), MINUTE, false);
        Schedule latest = new Schedule(Schedule.LATEST, null, Duration.ofDays(3650), MINUTE, false);
        create(LiveEvent.scheduled("earliest", "Earliest", "", List.of(), earliest, NOW));
        create(LiveEvent.scheduled("latest", "Latest", "", List.of(), latest, NOW));

        List<LiveEvent> all = done(store().list(Optional.empty(), "", 10)).items();
        assertThat(all).extracting(LiveEvent::id).containsExactly("earliest", "latest");
        for (LiveEvent e : all) {
            assertThat(e.schedule()).isEqualTo(e.id().equals("latest") ? latest : earliest);
            Schedule.Timer timer = e.nextTimer().orElseThrow();
            assertThat(Timestamps.toInstant(Timestamps.of(timer.at()))).isEqualTo(timer.at());
            assertThat(Schedule.isRepresentable(e.schedule().prefetchAt())).isTrue();
            assertThat(Schedule.isRepresentable(e.schedule().preShowAt())).isTrue();
        }
        assertThat(done(store().due(NOW, 10))).containsExactly("earliest");
    }
}
