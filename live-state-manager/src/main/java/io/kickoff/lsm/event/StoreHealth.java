package io.kickoff.lsm.event;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether the store answers, kept up to date by pings in the background so that a readiness probe gets its answer at
 * once instead of waiting for the store's command timeout while the store is away. Down when the last ping failed,
 * or when one has been waiting longer than {@code answerWithin}.
 */
public final class StoreHealth {
    private final EventStore store;
    private final long answerWithinNanos;
    private final AtomicBoolean pinging = new AtomicBoolean();
    private volatile boolean lastAnswered = true;
    private volatile long pingStartedNanos;

    public StoreHealth(EventStore store, Duration answerWithin) {
        this.store = Objects.requireNonNull(store, "store");
        this.answerWithinNanos = answerWithin.toNanos();
        if (answerWithinNanos <= 0) {
            throw new IllegalArgumentException("answerWithin must be positive");
        }
    }

    /** Sends a ping unless one is still waiting; never blocks. Call periodically (and it is called by {@link #isUp()}). */
    public void probe() {
        if (!pinging.compareAndSet(false, true)) {
            return;
        }
        pingStartedNanos = System.nanoTime();
        try {
            store.ping().whenComplete((ok, error) -> answered(error == null));
        } catch (RuntimeException e) {
            answered(false);
        }
    }

    private void answered(boolean answered) {
        lastAnswered = answered;
        pinging.set(false);
    }

    /** The store's health as last observed; never blocks. */
    public boolean isUp() {
        probe();
        if (pinging.get() && System.nanoTime() - pingStartedNanos > answerWithinNanos) {
            return false;
        }
        return lastAnswered;
    }
}
