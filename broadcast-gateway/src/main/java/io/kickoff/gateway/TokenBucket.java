package io.kickoff.gateway;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket shared by all event loops of a node, kept as one atomic "theoretical arrival
 * time" (the GCRA form of a token bucket): a take is one compare-and-set, so event loops never
 * block each other and nothing has to refill the bucket on a timer.
 */
final class TokenBucket {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final LongSupplier nanoTime;
    /** Time one token takes to come back. */
    private final long interval;
    /** How far ahead of now the arrival time may run: the burst, in time. */
    private final long tolerance;
    private final AtomicLong arrival;

    /**
     * @param perSecond sustained takes per second (positive)
     * @param burst     takes allowed at once from a full bucket (positive)
     */
    TokenBucket(int perSecond, int burst, LongSupplier nanoTime) {
        if (perSecond <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate and burst must be positive");
        }
        this.nanoTime = nanoTime;
        this.interval = Math.max(1, NANOS_PER_SECOND / perSecond);
        this.tolerance = interval * burst;
        // Starts full: the arrival time is "now", so a whole burst fits before it runs ahead too far.
        this.arrival = new AtomicLong(nanoTime.getAsLong());
    }

    /** Takes one token if there is one; never waits. */
    boolean tryTake() {
        long now = nanoTime.getAsLong();
        while (true) {
            long current = arrival.get();
            // Compare by difference: System.nanoTime() may be negative or wrap.
            long base = current - now < 0 ? now : current;
            long next = base + interval;
            if (next - now > tolerance) {
                return false;
            }
            if (arrival.compareAndSet(current, next)) {
                return true;
            }
        }
    }
}
