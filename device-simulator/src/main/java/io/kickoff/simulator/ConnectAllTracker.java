package io.kickoff.simulator;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns per-device first welcomes and first failures into the fleet's {@code connectAll()} future.
 * Completion is handed to a pool outside Netty so callers' dependent stages never run on (and
 * never block) an event loop.
 */
final class ConnectAllTracker {
    private final int devices;
    private final AtomicInteger welcomed = new AtomicInteger();
    private final CompletableFuture<Void> allWelcomed = new CompletableFuture<>();
    /** Like {@link #allWelcomed}, but a device's failed attempt does not fail it: only the fleet closing does. */
    private final CompletableFuture<Void> everyWelcomed = new CompletableFuture<>();
    private final Executor completer = ForkJoinPool.commonPool();

    ConnectAllTracker(int devices) {
        this.devices = devices;
        if (devices == 0) {
            allWelcomed.complete(null);
            everyWelcomed.complete(null);
        }
    }

    CompletableFuture<Void> future() {
        return allWelcomed;
    }

    CompletableFuture<Void> everyWelcomed() {
        return everyWelcomed;
    }

    int welcomedCount() {
        return welcomed.get();
    }

    void deviceWelcomedFirstTime() {
        if (welcomed.incrementAndGet() == devices) {
            completer.execute(() -> {
                // everyWelcomed first: whoever waited on connectAll() then finds whenAllWelcomed() done too.
                everyWelcomed.complete(null);
                allWelcomed.complete(null);
            });
        }
    }

    void deviceFailedBeforeFirstWelcome(DeviceConnectException failure) {
        if (!allWelcomed.isDone()) {
            completer.execute(() -> allWelcomed.completeExceptionally(failure));
        }
    }

    void fleetClosed() {
        IllegalStateException closed = new IllegalStateException(
                "fleet closed after " + welcomed.get() + " of " + devices + " devices were welcomed");
        allWelcomed.completeExceptionally(closed);
        everyWelcomed.completeExceptionally(closed);
    }
}
