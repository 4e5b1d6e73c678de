package io.kickoff.loadtests;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the devices of a reconnect storm share with its conductor: how many are greeted (the storm
 * breaks once all are), the instant it broke, and how many came back.
 */
final class StormProgress {
    private final int devices;
    private final CountDownLatch greeted;
    private volatile long stormMillis = -1;
    private final AtomicInteger rewelcomed = new AtomicInteger();
    private final AtomicInteger refusals = new AtomicInteger();
    private final AtomicLong lastRewelcomeMillis = new AtomicLong();
    private final AtomicBoolean completionLogged = new AtomicBoolean();

    StormProgress(int devices) {
        this.devices = devices;
        this.greeted = new CountDownLatch(devices);
    }

    void deviceGreeted() {
        greeted.countDown();
    }

    boolean awaitGreeted(Duration timeout) throws InterruptedException {
        return greeted.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    int greetedDevices() {
        return devices - (int) greeted.getCount();
    }

    /** From now on every device closes its connection and reconnects. */
    void breakStorm(long atMillis) {
        stormMillis = atMillis;
    }

    boolean stormBroken() {
        return stormMillis >= 0;
    }

    long stormMillis() {
        return stormMillis;
    }

    void refused() {
        refusals.incrementAndGet();
    }

    int refusals() {
        return refusals.get();
    }

    /** A device got its welcome again; returns the span storm → this welcome. */
    Timings.Span rewelcomed(long atMillis) {
        rewelcomed.incrementAndGet();
        lastRewelcomeMillis.accumulateAndGet(atMillis, Math::max);
        return Timings.Span.ok(stormMillis, atMillis);
    }

    int rewelcomedDevices() {
        return rewelcomed.get();
    }

    /** Once every device is back, the first caller gets storm → last welcome; everyone else {@code null}. */
    Timings.Span claimTimeToAll() {
        if (rewelcomed.get() < devices || !completionLogged.compareAndSet(false, true)) {
            return null;
        }
        return Timings.Span.ok(stormMillis, lastRewelcomeMillis.get());
    }
}
