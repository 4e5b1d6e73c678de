package io.kickoff.simulator;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many devices of a fleet hold a bundle of each event, kept as devices receive (pushed or
 * fetched) and drop bundles, and the waits for "this many hold it". Each device counts once per
 * event however many versions it receives, so the count is exact and a wait needs no confirming
 * scan. Waits complete on a pool outside Netty, so callers' dependent stages never run on an
 * event loop.
 */
final class BundleHoldings {
    private final Map<String, AtomicLong> holders = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Wait> waits = new CopyOnWriteArrayList<>();
    private final Executor completer = ForkJoinPool.commonPool();

    private record Wait(String eventId, long devices, CompletableFuture<Void> done) {
    }

    /** A device that held no bundle of the event now holds one. */
    void held(String eventId) {
        long now = holders.computeIfAbsent(eventId, e -> new AtomicLong()).incrementAndGet();
        if (!waits.isEmpty()) {
            for (Wait wait : waits) {
                // Whoever removes the wait completes it, once.
                if (now >= wait.devices() && wait.eventId().equals(eventId) && waits.remove(wait)) {
                    completer.execute(() -> wait.done().complete(null));
                }
            }
        }
    }

    /** A device dropped the bundle it held of the event (its storage was cleared). */
    void dropped(String eventId) {
        holders.get(eventId).decrementAndGet();
    }

    long holding(String eventId) {
        AtomicLong count = holders.get(eventId);
        return count == null ? 0 : count.get();
    }

    /** Completes once at least {@code devices} devices hold a bundle of the event; see {@link DeviceFleet#whenHoldingBundle}. */
    CompletableFuture<Void> whenHolding(String eventId, long devices) {
        Wait wait = new Wait(eventId, devices, new CompletableFuture<>());
        waits.add(wait);
        wait.done().whenComplete((v, e) -> waits.remove(wait)); // also when the caller gives up (cancels)
        // It may have happened already, before the wait was there to see it.
        if (holding(eventId) >= devices && waits.remove(wait)) {
            wait.done().complete(null);
        }
        return wait.done();
    }

    /** Fails every pending wait: the fleet closes. */
    void fleetClosed() {
        for (Wait wait : waits) {
            if (waits.remove(wait)) {
                wait.done().completeExceptionally(new IllegalStateException("fleet closed after "
                        + holding(wait.eventId()) + " of " + wait.devices() + " devices held a bundle of " + wait.eventId()));
            }
        }
    }
}
