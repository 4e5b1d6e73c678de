package io.kickoff.simulator;

import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Admits connection attempts at a bounded concurrency and rate, so a fleet of thousands does not
 * overrun the local SYN backlog or the gateway's admission limit by itself. All state lives on one
 * event loop; other threads talk to it by submitting tasks.
 */
final class ConnectPacer {
    /** How far behind schedule the pacer may catch up in one burst. */
    private static final long MAX_BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final EventLoop loop;
    private final int maxInFlight;
    private final long nanosPerAttempt;
    private final ArrayDeque<SimulatedDevice> waiting = new ArrayDeque<>();
    private int inFlight;
    private long nextAttemptAt;
    private boolean drainScheduled;
    private boolean stopped;

    ConnectPacer(EventLoop loop, int maxInFlight, int attemptsPerSecond) {
        this.loop = loop;
        this.maxInFlight = maxInFlight;
        this.nanosPerAttempt = attemptsPerSecond == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) / attemptsPerSecond;
    }

    /** Queues a device's next attempt; the pacer calls {@link SimulatedDevice#startAttempt()} when admitted. */
    void submit(SimulatedDevice device) {
        onLoop(() -> {
            waiting.add(device);
            drain();
        });
    }

    void submitAll(Collection<SimulatedDevice> devices) {
        onLoop(() -> {
            waiting.addAll(devices);
            drain();
        });
    }

    /** An admitted attempt ended (welcomed or failed); frees its slot. */
    void release() {
        onLoop(() -> {
            inFlight--;
            drain();
        });
    }

    void stop() {
        onLoop(() -> {
            stopped = true;
            waiting.clear();
        });
    }

    /** Once the fleet's loops are shutting down nothing is admitted any more, so late calls are dropped. */
    private void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // the fleet is closing
        }
    }

    private void drain() {
        while (!stopped && !waiting.isEmpty() && inFlight < maxInFlight) {
            if (nanosPerAttempt > 0) {
                long now = System.nanoTime();
                if (now - nextAttemptAt < 0) {
                    scheduleDrain(nextAttemptAt - now);
                    return;
                }
                nextAttemptAt = Math.max(nextAttemptAt, now - MAX_BURST_NANOS) + nanosPerAttempt;
            }
            inFlight++;
            waiting.poll().startAttempt();
        }
    }

    private void scheduleDrain(long delayNanos) {
        if (drainScheduled) {
            return;
        }
        drainScheduled = true;
        loop.schedule(() -> {
            drainScheduled = false;
            drain();
        }, delayNanos, TimeUnit.NANOSECONDS);
    }
}
