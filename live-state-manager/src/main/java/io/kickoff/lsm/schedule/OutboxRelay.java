package io.kickoff.lsm.schedule;

import io.kickoff.bus.FencedException;
import io.kickoff.bus.FencedPublisher;
import io.kickoff.bus.KeyedValue;
import io.kickoff.bus.Topic;
import io.kickoff.lsm.event.DeposedLeaderException;
import io.kickoff.lsm.event.EventStore;
import io.kickoff.lsm.event.OutboxEntry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves stage updates from the store's outbox to the bus, oldest first. An entry leaves the
 * outbox only after the bus acknowledged it, so a bus outage loses nothing: whatever failed is
 * published again after a backoff (devices ignore duplicates by seq). Only the leader relays,
 * which keeps the order of updates per event.
 *
 * <p>Publishing is fenced: the relays of all instances share one {@link FencedPublisher} group.
 * A new leader claims it before it reads the outbox, which fences the relay of every earlier
 * leader, so a deposed leader that wakes up between reading the outbox and publishing (a GC pause,
 * SIGSTOP, a stalled VM) has its stale batch refused by the bus and cannot put an older update
 * behind a newer one. A relay that finds itself fenced, or whose acknowledgement the store refuses
 * as coming from a deposed leader, steps down; it claims again only in a new term.
 */
public final class OutboxRelay {
    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    public static final int BATCH = 200;
    static final long MAX_BACKOFF_MILLIS = 5_000;

    /**
     * Runs between reading a batch from the outbox and publishing it, on the relay's thread; a fault test holds it
     * there to play a leader that stalls at the worst moment.
     */
    @FunctionalInterface
    public interface BeforePublish {
        BeforePublish NONE = batch -> { };

        void batchRead(List<OutboxEntry> batch);
    }

    private final EventStore store;
    private final FencedPublisher publisher;
    private final Leadership leadership;
    private final long timeoutMillis;
    private final Runnable answered;
    private final BeforePublish beforePublish;
    private final LongAdder published = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final Consumer<List<OutboxEntry>> onPublished;
    private long backoffMillis;
    private long retryAtNanos;
    private volatile boolean busReachable = true;
    /** The fencing token our publisher holds a claim for; -1 when it holds none. */
    private long claimedToken = -1;
    private Claim claiming;
    private InFlight inFlight;
    private volatile long lastDepth;
    private volatile java.time.Instant oldest;

    public OutboxRelay(EventStore store, FencedPublisher publisher, Leadership leadership, long timeoutMillis) {
        this(store, publisher, leadership, timeoutMillis, () -> { }, BeforePublish.NONE);
    }

    /**
     * @param publisher     the relays' fenced publisher (one group for all instances)
     * @param answered      called (on a bus thread) when a claim or a publish has its answer, to settle it at once
     * @param beforePublish a test seam; {@link BeforePublish#NONE} in production
     */
    public OutboxRelay(EventStore store, FencedPublisher publisher, Leadership leadership, long timeoutMillis,
                       Runnable answered, BeforePublish beforePublish) {
        this(store, publisher, leadership, timeoutMillis, answered, beforePublish, batch -> { });
    }

    /**
     * As above; {@code onPublished} is told of every batch the bus acknowledged and the store let go of (on the
     * relay's thread), for the relay-lag metric.
     */
    public OutboxRelay(EventStore store, FencedPublisher publisher, Leadership leadership, long timeoutMillis,
                       Runnable answered, BeforePublish beforePublish, Consumer<List<OutboxEntry>> onPublished) {
        this.onPublished = onPublished;
        this.store = store;
        this.publisher = publisher;
        this.leadership = leadership;
        this.timeoutMillis = timeoutMillis;
        this.answered = answered;
        this.beforePublish = beforePublish;
    }

    /**
     * One round. Settles what is on its way (a claim, a published batch) once it has its answer;
     * otherwise, as the leader, claims the publisher for the current term if it has not yet, then
     * publishes the next batch without waiting for the answer, so the caller's thread is never held
     * by a slow bus. Returns how many entries left the outbox. Never throws; call from one thread.
     */
    public int tick() {
        if (inFlight != null) {
            return settle();
        }
        if (claiming != null) {
            settleClaim();
            if (claiming != null) {
                return 0;
            }
        }
        if (!leadership.isLeader()) {
            claimedToken = -1;
            // What the relay learnt of the bus holds only while it relays; a follower's readiness is the bus's own.
            busReachable = true;
            return 0;
        }
        if (System.nanoTime() < retryAtNanos) {
            return 0;
        }
        long token = leadership.fencingToken();
        if (claimedToken != token) {
            // A new term: fence every earlier leader's relay before reading anything to publish.
            claiming = new Claim(token, publisher.claim(token));
            claiming.done().whenComplete((ok, error) -> answered.run());
            settleClaim();
            if (claimedToken != token) {
                return 0;
            }
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
        beforePublish.batchRead(batch);
        List<KeyedValue> records = batch.stream().map(e -> new KeyedValue(e.eventId(), e.stageUpdate())).toList();
        CompletableFuture<Void> ack = publisher.publish(Topic.STAGES, records);
        inFlight = new InFlight(batch, token, ack);
        ack.whenComplete((ok, error) -> answered.run());
        return settle();
    }

    private void settleClaim() {
        Claim claim = claiming;
        if (!claim.done().isDone()) {
            return;
        }
        claiming = null;
        Throwable error = failureOf(claim.done());
        if (error == null) {
            claimedToken = claim.token();
            busReachable = true;
            backoffMillis = 0;
        } else if (error instanceof FencedException) {
            leadership.stepDown("the bus refused our claim of the outbox relay: " + error.getMessage());
        } else {
            busReachable = false;
            backOff("claiming the outbox relay on the bus", error);
        }
    }

    private int settle() {
        InFlight batch = inFlight;
        if (!batch.ack().isDone()) {
            return 0;
        }
        inFlight = null;
        Throwable error = failureOf(batch.ack());
        if (error instanceof FencedException) {
            // Another instance leads now and has published whatever we held: nothing of ours reached the bus.
            claimedToken = -1;
            leadership.stepDown("the bus fenced our outbox relay: another instance relays now");
            return 0;
        }
        if (error != null) {
            // Nothing of the batch is visible (one transaction); claim again, then publish it again, in order.
            claimedToken = -1;
            busReachable = false;
            backOff("publishing to the bus", error);
            return 0;
        }
        busReachable = true;
        if (!remove(batch)) {
            return 0;
        }
        backoffMillis = 0;
        published.add(batch.entries().size());
        onPublished.accept(batch.entries());
        return batch.entries().size();
    }

    private record InFlight(List<OutboxEntry> entries, long token, CompletableFuture<Void> ack) {
    }

    private record Claim(long token, CompletableFuture<Void> done) {
    }

    private static Throwable failureOf(CompletableFuture<Void> done) {
        Throwable error = done.handle((ok, e) -> e).join();
        while ((error instanceof CompletionException || error instanceof ExecutionException) && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }

    private boolean remove(InFlight batch) {
        try {
            store.removeFromOutbox(batch.entries(), batch.token()).get(timeoutMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DeposedLeaderException deposed) {
                claimedToken = -1;
                leadership.stepDown("the store refused our outbox acknowledgement: " + deposed.getMessage());
                return false;
            }
            // Published but still in the outbox: it will be published again, which is harmless.
            backOff("removing published entries", e.getCause());
            return false;
        } catch (Exception e) {
            backOff("removing published entries", e);
            return false;
        }
    }

    private void backOff(String what, Throwable e) {
        failures.increment();
        backoffMillis = backoffMillis == 0 ? 100 : Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
        retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
        log.warn("outbox relay failed {}; retrying in {} ms: {}", what, backoffMillis, e.toString());
    }

    /** False after a claim or publish failed for want of the bus, until one succeeds: for readiness. */
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

    /** Rounds that failed (reading the outbox, claiming, publishing, removing) and backed off, since start. */
    public long failures() {
        return failures.sum();
    }

    /** Entries published since start. */
    public long published() {
        return published.sum();
    }
}
