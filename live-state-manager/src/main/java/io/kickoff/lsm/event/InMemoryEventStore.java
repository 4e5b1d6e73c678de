package io.kickoff.lsm.event;

import io.kickoff.protocol.v1.Stage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The store of {@code memory} mode: one JVM, nothing survives a restart. It keeps the same contract as the Redis store
 * (the tests of both are one suite) so that memory mode behaves like production, only without durability. One lock
 * guards all state, which makes every commit as atomic as the Redis script it stands in for; there is no I/O, so every
 * future is already complete when it is returned.
 */
public final class InMemoryEventStore implements EventStore {
    private static final Comparator<TimerKey> TIMER_ORDER =
            Comparator.comparing(TimerKey::at).thenComparing(TimerKey::id);

    private final Clock clock;
    private final LongSupplier leaseEpoch;
    private final Object lock = new Object();
    private final NavigableMap<String, Stored> events = new TreeMap<>();
    private final NavigableSet<TimerKey> timers = new TreeSet<>(TIMER_ORDER);
    private final NavigableMap<Long, OutboxEntry> outbox = new TreeMap<>();
    private long outboxSeq;

    /** A store on the system clock. */
    public InMemoryEventStore() {
        this(Clock.systemUTC());
    }

    /** A store whose leader-only writes are not fenced (no lease shares its epoch with it). */
    public InMemoryEventStore(Clock clock) {
        this(clock, () -> Long.MIN_VALUE);
    }

    /**
     * @param clock      stamps outbox entries
     * @param leaseEpoch the leader lease's current fencing token (e.g. {@code InMemoryLeaderLease::currentEpoch}):
     *                   leader-only writes with an older one are refused, as the Redis scripts refuse them
     */
    public InMemoryEventStore(Clock clock, LongSupplier leaseEpoch) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.leaseEpoch = Objects.requireNonNull(leaseEpoch, "leaseEpoch");
    }

    /** Refuses a leader-only write whose fencing token is older than the lease's. Call holding the lock. */
    private void requireCurrent(long fencingToken) {
        long current = leaseEpoch.getAsLong();
        if (fencingToken < current) {
            throw new DeposedLeaderException(fencingToken, current);
        }
    }

    @Override
    public CompletableFuture<Optional<LiveEvent>> find(String id) {
        return now(() -> {
            synchronized (lock) {
                Stored stored = events.get(id);
                return Optional.ofNullable(stored == null ? null : stored.event);
            }
        });
    }

    @Override
    public CompletableFuture<Page<LiveEvent>> list(Optional<Stage> stage, String cursor, int limit) {
        return now(() -> {
            requirePositive(limit);
            List<LiveEvent> items = new ArrayList<>();
            boolean more = false;
            synchronized (lock) {
                NavigableMap<String, Stored> after = cursor == null || cursor.isEmpty()
                        ? events : events.tailMap(cursor, false);
                for (Stored stored : after.values()) {
                    if (stage.isPresent() && stored.event.stage() != stage.get()) {
                        continue;
                    }
                    if (items.size() == limit) {
                        more = true;
                        break;
                    }
                    items.add(stored.event);
                }
            }
            return new Page<>(List.copyOf(items), more ? items.get(items.size() - 1).id() : "");
        });
    }

    @Override
    public CompletableFuture<LiveEvent> create(LiveEvent event, HistoryEntry created) {
        return now(() -> {
            Objects.requireNonNull(created, "created");
            synchronized (lock) {
                if (events.containsKey(event.id())) {
                    throw new EventExistsException(event.id());
                }
                Stored stored = new Stored(event);
                stored.history.add(created);
                events.put(event.id(), stored);
                indexTimer(stored);
                return event;
            }
        });
    }

    @Override
    public CompletableFuture<LiveEvent> commit(Commit commit) {
        return now(() -> {
            LiveEvent next = commit.event();
            Objects.requireNonNull(commit.history(), "history");
            synchronized (lock) {
                commit.fencingToken().ifPresent(this::requireCurrent);
                Stored stored = events.get(next.id());
                if (stored == null) {
                    throw new UnknownEventException(next.id());
                }
                if (stored.event.version() != commit.expectedVersion()) {
                    throw new VersionConflictException(next.id(), commit.expectedVersion(), stored.event.version());
                }
                stored.event = next;
                stored.history.add(commit.history());
                indexTimer(stored);
                commit.update().ifPresent(update -> {
                    long id = ++outboxSeq;
                    outbox.put(id, new OutboxEntry(id, next.id(), update.toByteArray(), clock.instant()));
                });
                return next;
            }
        });
    }

    @Override
    public CompletableFuture<List<HistoryEntry>> history(String id) {
        return now(() -> {
            synchronized (lock) {
                Stored stored = events.get(id);
                return stored == null ? List.of() : List.copyOf(stored.history);
            }
        });
    }

    @Override
    public CompletableFuture<List<String>> due(Instant now, int limit) {
        return now(() -> {
            requirePositive(limit);
            List<String> ids = new ArrayList<>();
            synchronized (lock) {
                for (TimerKey timer : timers) {
                    if (timer.at().isAfter(now) || ids.size() == limit) {
                        break;
                    }
                    ids.add(timer.id());
                }
            }
            return List.copyOf(ids);
        });
    }

    @Override
    public CompletableFuture<List<OutboxEntry>> outbox(int limit) {
        return now(() -> {
            requirePositive(limit);
            synchronized (lock) {
                return outbox.values().stream().limit(limit).toList();
            }
        });
    }

    @Override
    public CompletableFuture<Void> removeFromOutbox(List<OutboxEntry> published, long fencingToken) {
        return now(() -> {
            synchronized (lock) {
                requireCurrent(fencingToken);
                published.forEach(entry -> outbox.remove(entry.id()));
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<OutboxStats> outboxStats() {
        return now(() -> {
            synchronized (lock) {
                return new OutboxStats(outbox.size(),
                        outbox.isEmpty() ? Optional.empty() : Optional.of(outbox.firstEntry().getValue().enqueuedAt()));
            }
        });
    }



    @Override
    public CompletableFuture<Void> ping() {
        return CompletableFuture.completedFuture(null);
    }

    /** Keeps the timer index in step with the event: one entry at its next timer, none when it has no timer. */
    private void indexTimer(Stored stored) {
        if (stored.timer != null) {
            timers.remove(stored.timer);
            stored.timer = null;
        }
        stored.event.nextTimer().ifPresent(timer -> {
            stored.timer = new TimerKey(timer.at(), stored.event.id());
            timers.add(stored.timer);
        });
    }

    private static void requirePositive(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, not " + limit);
        }
    }

    /** Runs {@code work} now; what it throws fails the future instead of the caller. */
    private static <T> CompletableFuture<T> now(Supplier<T> work) {
        try {
            return CompletableFuture.completedFuture(work.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static final class Stored {
        LiveEvent event;
        TimerKey timer;
        final List<HistoryEntry> history = new ArrayList<>();

        Stored(LiveEvent event) {
            this.event = event;
        }
    }

    private record TimerKey(Instant at, String id) {
    }

}
