package io.kickoff.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock the test moves by hand, so that schedules, expiries and ages are tested by advancing
 * time instead of waiting for it. One instance gives both readings production code takes: the
 * wall clock ({@link #instant()}, for a {@link Clock} parameter) and a monotonic reading in
 * nanoseconds ({@link #nanos()}, for a ticker such as Caffeine's {@code Ticker}), moved together.
 *
 * <p>What an outside server measures (a Redis key's TTL, a lease's PX) does not move with it:
 * tests of those wait for real time.
 */
public final class MutableClock extends Clock {
    private volatile Instant now;
    private volatile long nanos;

    public MutableClock(Instant start) {
        this.now = start;
    }

    /** Moves both readings forward by {@code d}. */
    public synchronized void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("time only moves forward: " + d);
        }
        now = now.plus(d);
        nanos += d.toNanos();
    }

    /** Sets the wall clock, as a clock adjustment would; the monotonic reading does not go back. */
    public synchronized void set(Instant instant) {
        Duration d = Duration.between(now, instant);
        now = instant;
        if (!d.isNegative()) {
            nanos += d.toNanos();
        }
    }

    /** A monotonic reading in nanoseconds (0 at construction), like {@link System#nanoTime()}. */
    public long nanos() {
        return nanos;
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
