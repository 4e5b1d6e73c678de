package io.kickoff.simulator;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Which devices of a fleet start playing an event when they learn it is {@code LIVE}, and when: the first
 * {@code round(share × devices)} devices (devices {@code 0..}, so the players are the well-behaved ones first and a
 * fleet's layout is reproducible), each after a random wait in {@code [0, delay]} so a broadcast does not turn into
 * plays all in one instant. A player sends {@code viewing PLAYING} then, repeats it every viewing heartbeat interval
 * of its gateway's welcome while it plays, and sends {@code STOPPED} when the event ends ({@code ENDED} or
 * {@code CANCELLED}).
 *
 * @param share fraction of the fleet that plays, in [0, 1]; 0 plays nothing (the fleet sends no viewing signals)
 * @param delay longest wait between applying {@code LIVE} and starting to play
 */
public record PlayPlan(double share, Duration delay) {
    public static final PlayPlan NONE = new PlayPlan(0, Duration.ZERO);
    /** Used when a welcome does not tell the viewing heartbeat interval (a gateway older than viewing signals). */
    static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);

    public PlayPlan {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("play share must be in [0, 1], got " + share);
        }
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("play delay must not be negative, got " + delay);
        }
    }

    /** How many of a fleet of {@code devices} play. */
    public int players(int devices) {
        return (int) Math.min(devices, Math.round(share * devices));
    }

    /** Whether device {@code index} of a fleet of {@code devices} plays. */
    public boolean plays(int index, int devices) {
        return index >= 0 && index < players(devices);
    }

    /** How long a player waits after applying {@code LIVE}, in milliseconds: uniform in {@code [0, delay]}. */
    public long startDelayMillis(RandomGenerator random) {
        long max = delay.toMillis();
        return max == 0 ? 0 : random.nextLong(max + 1);
    }
}
