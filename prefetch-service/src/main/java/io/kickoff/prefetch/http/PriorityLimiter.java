package io.kickoff.prefetch.http;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A concurrency limit with a reserve for critical requests. Any request may take one of the
 * {@code limit} shared permits; once they are all taken, {@link Priority#PREFETCH} requests are
 * refused while {@link Priority#CRITICAL} ones may still take one of the {@code criticalReserve}
 * extra permits. Lock-free; each successful {@link #tryAcquire} must be matched by one
 * {@link Permit#release()}.
 */
final class PriorityLimiter {
    private final int limit;
    private final int criticalReserve;
    private final AtomicInteger shared = new AtomicInteger();
    private final AtomicInteger reserve = new AtomicInteger();

    public PriorityLimiter(int limit, int criticalReserve) {
        if (limit < 1 || criticalReserve < 0) {
            throw new IllegalArgumentException("limit must be positive and criticalReserve not negative");
        }
        this.limit = limit;
        this.criticalReserve = criticalReserve;
    }

    /** A held permit; releasing it twice is a no-op. */
    public interface Permit {
        void release();
    }

    /** A permit, or null if this request must be shed. */
    public Permit tryAcquire(Priority priority) {
        if (take(shared, limit)) {
            return once(shared);
        }
        if (priority == Priority.CRITICAL && take(reserve, criticalReserve)) {
            return once(reserve);
        }
        return null;
    }

    private static boolean take(AtomicInteger counter, int max) {
        while (true) {
            int n = counter.get();
            if (n >= max) {
                return false;
            }
            if (counter.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    private static Permit once(AtomicInteger counter) {
        AtomicInteger released = new AtomicInteger();
        return () -> {
            if (released.compareAndSet(0, 1)) {
                counter.decrementAndGet();
            }
        };
    }

    public int inFlight() {
        return shared.get() + reserve.get();
    }

    public int limit() {
        return limit;
    }

    public int criticalReserve() {
        return criticalReserve;
    }
}
