package io.kickoff.lsm.schedule;

import io.kickoff.bus.EventBus;
import io.kickoff.bus.Topic;
import io.kickoff.lsm.event.EventStore;
import io.kickoff.lsm.event.OutboxEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves stage updates from the store's outbox to the bus, oldest first. An entry leaves the
 * outbox only after the bus acknowledged it, so a bus outage loses nothing: publishes wait in the
 * bus client until the broker returns, and whatever failed is published again after a backoff
 * (devices ignore duplicates by seq). Only the leader relays, which keeps the order of updates
 * per event.
 */
public final class OutboxRelay {
    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    public static final int BATCH = 200;
    static final long MAX_BACKOFF_MILLIS = 5_000;

    private final EventStore store;
    private final EventBus bus;
    private final Leadership leadership;
    private final long timeoutMillis;
    private final LongAdder published = new LongAdder();
    private long backoffMillis;
    private long retryAtNanos;
    private volatile boolean busReachable = true;
    private InFlight inFlight;
    private final Runnable answered;
    private volatile long lastDepth;
    private volatile java.time.Instant oldest;

    public OutboxRelay(EventStore store, EventBus bus, Leadership leadership, long timeoutMillis) {
        this(store, bus, leadership, timeoutMillis, () -> { });
    }

    /** @param answered called (on a bus thread) when every publish of a batch has an answer, to settle it at once */
    public OutboxRelay(EventStore store, EventBus bus, Leadership leadership, long timeoutMillis, Runnable answered) {
        this.answered = answered;
        this.store = store;
        this.bus = bus;
        this.leadership = leadership;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * One round. If a batch is on its way to the bus, settles it once every publish has an answer:
     * removes the acknowledged prefix from the outbox, and backs off if any failed (the rest is
     * published again, in order, after the backoff). Otherwise publishes the next batch without
     * waiting for the answers, so the caller's thread is never held by a slow bus. Returns how many
     * entries left the outbox. Never throws; call from one thread.
     */
    public int tick() {
        if (inFlight != null) {
            return settle();
        }
        if (!leadership.isLeader() || System.nanoTime() < retryAtNanos) {
            return 0;
        }
        List<OutboxEntry> batch;
        try {
            batch = store.outbox(BATCH).get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (Exception e) {
            backOff("reading the outbox", e);
            return 0;
        }
        if (batch.isEmpty()) {
            return 0;
        }
        List<CompletableFuture<Void>> acks = new ArrayList<>(batch.size());
        for (OutboxEntry entry : batch) {
            acks.add(bus.publish(Topic.STAGES, entry.eventId(), entry.stageUpdate()));
        }
        inFlight = new InFlight(batch, acks);
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).whenComplete((ok, error) -> answered.run());
        return settle();
    }

    private int settle() {
        InFlight batch = inFlight;
        for (CompletableFuture<Void> ack : batch.acks()) {
            if (!ack.isDone()) {
                return 0;
            }
        }
        inFlight = null;
        List<OutboxEntry> acked = new ArrayList<>();
        Throwable failure = null;
        for (int i = 0; i < batch.entries().size(); i++) {
            CompletableFuture<Void> ack = batch.acks().get(i);
            if (!isAcked(ack)) {
                failure = ack.handle((ok, error) -> error).join();
                break;
            }
            acked.add(batch.entries().get(i));
        }
        // Remove only the acknowledged prefix: what follows a failure is published again, in order.
        boolean removed = remove(acked);
        if (failure != null) {
            busReachable = false;
            backOff("publishing to the bus", failure instanceof Exception e ? e : new RuntimeException(failure));
            return removed ? acked.size() : 0;
        }
        busReachable = true;
        if (!removed) {
            return 0;
        }
        backoffMillis = 0;
        published.add(acked.size());
        return acked.size();
    }

    private record InFlight(List<OutboxEntry> entries, List<CompletableFuture<Void>> acks) {
    }

    private static boolean isAcked(CompletableFuture<Void> ack) {
        return ack.isDone() && !ack.isCompletedExceptionally();
    }

    private boolean remove(List<OutboxEntry> entries) {
        if (entries.isEmpty()) {
            return true;
        }
        try {
            store.removeFromOutbox(entries).get(timeoutMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            // Published but still in the outbox: it will be published again, which is harmless.
            backOff("removing published entries", e);
            return false;
        }
    }

    private void backOff(String what, Exception e) {
        backoffMillis = backoffMillis == 0 ? 100 : Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
        retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
        log.warn("outbox relay failed {}; retrying in {} ms: {}", what, backoffMillis, e.toString());
    }

    /** False after a publish failed, until one succeeds: for readiness. */
    public boolean busReachable() {
        return busReachable;
    }

    /** Reads the outbox depth and oldest entry for the metrics; leader only. Never throws. */
    public void refreshStats() {
        if (!leadership.isLeader()) {
            return;
        }
        try {
            EventStore.OutboxStats stats = store.outboxStats().get(timeoutMillis, TimeUnit.MILLISECONDS);
            lastDepth = stats.depth();
            oldest = stats.oldest().orElse(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // The next round tries again; the gauges keep their last values meanwhile.
        }
    }

    public long lastDepth() {
        return lastDepth;
    }

    /** Age of the oldest waiting entry as of the last {@link #refreshStats()}; zero when empty. */
    public java.time.Duration oldestAge(java.time.Clock clock) {
        java.time.Instant o = oldest;
        return o == null || lastDepth == 0 ? java.time.Duration.ZERO : java.time.Duration.between(o, clock.instant());
    }

    /** Entries published since start. */
    public long published() {
        return published.sum();
    }
}
