package io.kickoff.lsm.event;

import io.kickoff.bus.EventBus;
import io.kickoff.bus.Topic;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.protocol.v1.StageUpdate;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What producers can do to live events: create them and move them through their stages. Each
 * accepted stage change yields exactly one {@link StageUpdate}, published on
 * {@link Topic#STAGES} keyed by event id.
 */
public final class LiveEvents {
    private static final Logger log = LoggerFactory.getLogger(LiveEvents.class);
    private static final int MAX_CONFLICT_RETRIES = 5;

    private final EventStore store;
    private final EventBus bus;
    private final Clock clock;

    public LiveEvents(EventStore store, EventBus bus, Clock clock) {
        this.store = store;
        this.bus = bus;
        this.clock = clock;
    }

    public CompletableFuture<LiveEvent> create(LiveEvent event) {
        return store.create(event).whenComplete((created, error) -> {
            if (error == null) {
                log.info("event {} created, scheduled start {}", created.id(), created.scheduledStart());
            }
        });
    }

    public CompletableFuture<Optional<LiveEvent>> find(String id) {
        return store.find(id);
    }

    public CompletableFuture<List<LiveEvent>> list() {
        return store.list();
    }

    /**
     * Moves the event to {@code to}; completes once the update is on the bus. Fails with
     * {@link UnknownEventException} or {@link IllegalTransitionException}.
     */
    public CompletableFuture<LiveEvent> transition(String id, Stage to, String reason) {
        return transition(id, to, reason, 0);
    }

    private CompletableFuture<LiveEvent> transition(String id, Stage to, String reason, int attempt) {
        return store.find(id).thenCompose(found -> {
            LiveEvent current = found.orElseThrow(() -> new UnknownEventException(id));
            if (!StageTransitions.isAllowed(current.stage(), to)) {
                throw new IllegalTransitionException(id, current.stage(), to);
            }
            LiveEvent next = current.movedTo(to);
            return store.replace(next, current.version())
                    .thenCompose(stored -> publish(stored, reason).thenApply(ignored -> stored))
                    .exceptionallyCompose(error -> {
                        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                        if (cause instanceof VersionConflictException && attempt < MAX_CONFLICT_RETRIES) {
                            // A concurrent writer won; re-read and re-check the transition.
                            return transition(id, to, reason, attempt + 1);
                        }
                        return CompletableFuture.failedFuture(cause);
                    });
        });
    }

    private CompletableFuture<Void> publish(LiveEvent event, String reason) {
        StageUpdate.Builder update = StageUpdate.newBuilder()
                .setEventId(event.id())
                .setStage(event.stage())
                .setSeq(event.seq())
                .setIssuedAt(Timestamps.of(clock.instant()))
                .setReason(reason)
                .addAllSegments(event.segments());
        if (event.scheduledStart() != null) {
            update.setScheduledStart(Timestamps.of(event.scheduledStart()));
        }
        log.info("event {} → {} (seq {}, {})", event.id(), event.stage(), event.seq(), reason);
        return bus.publish(Topic.STAGES, event.id(), update.build().toByteArray());
    }
}
