package io.kickoff.lsm.event;

import io.kickoff.http.LogText;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What can happen to live events: producers create them, move them through their stages and
 * shift their schedules; the clock fires their timers. Every accepted change is one atomic,
 * version-checked {@link Commit}; a change that devices must see also puts one
 * {@link StageUpdate} (with the next seq) in the outbox, which the relay publishes on the bus.
 */
public final class LiveEvents {
    private static final Logger log = LoggerFactory.getLogger(LiveEvents.class);
    private static final int MAX_CONFLICT_RETRIES = 5;
    public static final String SCHEDULER = "scheduler";

    private final EventStore store;
    private final Clock clock;
    private final Runnable outboxWritten;

    public LiveEvents(EventStore store, Clock clock) {
        this(store, clock, () -> { });
    }

    /** @param outboxWritten called after a commit put a stage update in the outbox, to wake the relay */
    public LiveEvents(EventStore store, Clock clock, Runnable outboxWritten) {
        this.store = store;
        this.clock = clock;
        this.outboxWritten = outboxWritten;
    }

    public Clock clock() {
        return clock;
    }

    public CompletableFuture<LiveEvent> create(NewEvent spec, String actor) {
        return create(spec, actor, Instant.MAX);
    }

    /** As {@link #create(NewEvent, String)}, not applied if the clock is past {@code deadline} when it would be. */
    public CompletableFuture<LiveEvent> create(NewEvent spec, String actor, Instant deadline) {
        Instant now = clock.instant();
        if (now.isAfter(deadline)) {
            return CompletableFuture.failedFuture(new DeadlineExceededException(deadline));
        }
        LiveEvent event = LiveEvent.scheduled(spec.id(), spec.title(), spec.catalogTitleId(), spec.segments(),
                spec.schedule(), now);
        HistoryEntry created = new HistoryEntry(0, event.version(), event.stage(), "created", actor, now,
                spec.schedule().start());
        return store.create(event, created).whenComplete((e, error) -> {
            if (error == null) {
                log.info("event {} created by {}: start {}, segments {}", LogText.escape(e.id()), LogText.escape(actor),
                        e.schedule().start(), LogText.escape(e.segments()));
            }
        });
    }

    public CompletableFuture<Optional<LiveEvent>> find(String id) {
        return store.find(id);
    }

    public CompletableFuture<Page<LiveEvent>> list(Optional<Stage> stage, String cursor, int limit) {
        return store.list(stage, cursor, limit);
    }

    public CompletableFuture<List<HistoryEntry>> history(String id) {
        return store.find(id).thenCompose(found -> {
            if (found.isEmpty()) {
                throw new UnknownEventException(id);
            }
            return store.history(id);
        });
    }

    /**
     * A producer moves the event to {@code to} now. {@code reason} may be empty: then it is
     * {@code ended_early} for ENDED, {@code cancelled} for CANCELLED and {@code manual} otherwise.
     */
    public CompletableFuture<LiveEvent> transition(String id, Stage to, String reason, String actor) {
        return transition(id, to, reason, actor, Instant.MAX);
    }

    /** As {@link #transition(String, Stage, String, String)}, not applied if the clock is past {@code deadline} when it would be. */
    public CompletableFuture<LiveEvent> transition(String id, Stage to, String reason, String actor, Instant deadline) {
        return transition(id, OptionalLong.empty(), to, reason, actor, deadline);
    }

    /**
     * As {@link #transition(String, Stage, String, String, Instant)}; with {@code ifMatch}, only if the event is still
     * at that version ({@link VersionConflictException} otherwise): a producer's button acts on the event it showed.
     */
    public CompletableFuture<LiveEvent> transition(String id, OptionalLong ifMatch, Stage to, String reason, String actor,
                                                   Instant deadline) {
        String why = reason != null && !reason.isBlank() ? reason
                : to == Stage.ENDED ? "ended_early" : to == Stage.CANCELLED ? "cancelled" : "manual";
        return change(id, ifMatch, current -> {
            if (!StageTransitions.isAllowed(current.stage(), to)) {
                throw new IllegalTransitionException(id, current.stage(), to);
            }
            return new Decision(current.movedTo(to, clock.instant()), why);
        }, actor, deadline);
    }

    /**
     * A producer changes the title or the schedule. With {@code ifMatch}, only if the event is
     * still at that version ({@link VersionConflictException} otherwise). A schedule change is
     * broadcast (one more seq, reason {@code delayed}, {@code advanced} or {@code schedule_changed});
     * a title change alone is not.
     */
    public CompletableFuture<LiveEvent> update(String id, OptionalLong ifMatch, EventPatch patch, String actor) {
        return update(id, ifMatch, patch, actor, Instant.MAX);
    }

    /** As {@link #update(String, OptionalLong, EventPatch, String)}, not applied if the clock is past {@code deadline} when it would be. */
    public CompletableFuture<LiveEvent> update(String id, OptionalLong ifMatch, EventPatch patch, String actor,
                                               Instant deadline) {
        return change(id, ifMatch, current -> {
            Schedule old = current.schedule();
            Schedule schedule = old;
            if (patch.touchesSchedule()) {
                boolean beforeLive = current.stage() == Stage.SCHEDULED || current.stage() == Stage.PREFETCH
                        || current.stage() == Stage.PRE_SHOW;
                boolean startMoves = patch.start().isPresent() && !patch.start().get().equals(old.start())
                        || patch.prefetchLead().isPresent() && !patch.prefetchLead().get().equals(old.prefetchLead())
                        || patch.preShowLead().isPresent() && !patch.preShowLead().get().equals(old.preShowLead());
                if (current.isFinal()) {
                    throw new IllegalChangeException(id, current.stage(), "scheduled_start",
                            "a finished event has no schedule to change");
                }
                if (startMoves && !beforeLive) {
                    throw new IllegalChangeException(id, current.stage(), "scheduled_start",
                            "the start and the leads can only change before LIVE");
                }
                schedule = new Schedule(patch.start().orElse(old.start()), patch.expectedEnd().orElse(old.expectedEnd()),
                        patch.prefetchLead().orElse(old.prefetchLead()), patch.preShowLead().orElse(old.preShowLead()),
                        patch.autoEnd().orElse(old.autoEnd()));
            }
            String title = patch.title().orElse(current.title());
            boolean retitled = !title.equals(current.title());
            boolean rescheduled = !schedule.equals(old);
            if (!retitled && !rescheduled) {
                return new Decision(current, "unchanged");
            }
            if (current.isFinal()) {
                throw new IllegalChangeException(id, current.stage(), "title", "a finished event cannot change");
            }
            String reason = !rescheduled ? "retitled"
                    : schedule.start().isAfter(old.start()) ? "delayed"
                    : schedule.start().isBefore(old.start()) ? "advanced" : "schedule_changed";
            LiveEvent next = new LiveEvent(current.id(), title, current.catalogTitleId(), current.segments(), schedule,
                    current.stage(), current.seq() + (rescheduled ? 1 : 0), current.version() + 1,
                    current.bundleVersion(), clock.instant());
            return new Decision(next, reason);
        }, actor, deadline);
    }

    /**
     * The clock's part: fires every timer of the event that is due at {@code now}, in order, each
     * with its own seq (after downtime several may be due at once). Returns the event as it ends up.
     */
    public CompletableFuture<LiveEvent> fireDue(String id, Instant now) {
        return fireDue(id, now, OptionalLong.empty());
    }

    /**
     * As {@link #fireDue(String, Instant)}, by the leader holding {@code fencingToken}: the store refuses every firing
     * with {@link DeposedLeaderException} once another instance has taken the lease.
     */
    public CompletableFuture<LiveEvent> fireDue(String id, Instant now, long fencingToken) {
        return fireDue(id, now, OptionalLong.of(fencingToken));
    }

    private CompletableFuture<LiveEvent> fireDue(String id, Instant now, OptionalLong fencingToken) {
        return store.find(id).thenCompose(found -> {
            if (found.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            LiveEvent current = found.get();
            Optional<Schedule.Timer> timer = current.nextTimer();
            if (timer.isEmpty() || timer.get().at().isAfter(now)) {
                return CompletableFuture.completedFuture(current);
            }
            LiveEvent next = current.movedTo(timer.get().to(), clock.instant());
            return commit(current, next, "scheduled", SCHEDULER, fencingToken)
                    .thenCompose(stored -> fireDue(id, now, fencingToken));
        });
    }

    /** What a change decided: the event after it, and why. */
    private record Decision(LiveEvent next, String reason) {
    }

    /**
     * Read, decide, commit; on a version conflict (without If-Match) read again and decide again. Nothing is
     * committed once the clock is past {@code deadline}.
     */
    private CompletableFuture<LiveEvent> change(String id, OptionalLong ifMatch, Function<LiveEvent, Decision> decide,
                                                String actor, Instant deadline) {
        return change(id, ifMatch, decide, actor, deadline, 0);
    }

    private CompletableFuture<LiveEvent> change(String id, OptionalLong ifMatch, Function<LiveEvent, Decision> decide,
                                                String actor, Instant deadline, int attempt) {
        return store.find(id).thenCompose(found -> {
            LiveEvent current = found.orElseThrow(() -> new UnknownEventException(id));
            if (ifMatch.isPresent() && ifMatch.getAsLong() != current.version()) {
                throw new VersionConflictException(id, ifMatch.getAsLong(), current.version());
            }
            Decision decision = decide.apply(current);
            if (decision.next() == current) {
                return CompletableFuture.completedFuture(current);
            }
            if (clock.instant().isAfter(deadline)) {
                throw new DeadlineExceededException(deadline);
            }
            return commit(current, decision.next(), decision.reason(), actor, OptionalLong.empty()).exceptionallyCompose(error -> {
                Throwable cause = unwrap(error);
                if (cause instanceof VersionConflictException && ifMatch.isEmpty() && attempt < MAX_CONFLICT_RETRIES) {
                    return change(id, ifMatch, decide, actor, deadline, attempt + 1);
                }
                return CompletableFuture.failedFuture(cause);
            });
        });
    }

    private CompletableFuture<LiveEvent> commit(LiveEvent current, LiveEvent next, String reason, String actor,
                                                OptionalLong fencingToken) {
        Instant now = clock.instant();
        Optional<StageUpdate> update = next.seq() > current.seq() ? Optional.of(stageUpdate(next, reason, now)) : Optional.empty();
        HistoryEntry entry = new HistoryEntry(next.seq(), next.version(), next.stage(), reason, actor, now,
                next.schedule().start());
        return store.commit(new Commit(next, current.version(), entry, update, fencingToken)).whenComplete((stored, error) -> {
            if (error == null) {
                log.info("event {} → {} (seq {}, version {}, {} by {})", LogText.escape(stored.id()), stored.stage(),
                        stored.seq(), stored.version(), LogText.escape(reason), LogText.escape(actor));
                if (update.isPresent()) {
                    outboxWritten.run();
                }
            }
        });
    }

    static StageUpdate stageUpdate(LiveEvent event, String reason, Instant now) {
        return StageUpdate.newBuilder()
                .setEventId(event.id())
                .setStage(event.stage())
                .setSeq(event.seq())
                .setIssuedAt(Timestamps.of(now))
                .setScheduledStart(Timestamps.of(event.schedule().start()))
                .setBundleVersion(event.bundleVersion())
                .setReason(reason)
                .addAllSegments(event.segments())
                .build();
    }

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
