package io.kickoff.audience;

import java.time.Duration;
import java.util.Objects;

/**
 * What the audience topology counts by.
 *
 * @param heartbeatInterval how often a playing device sends a heartbeat (the interval told in {@code welcome})
 * @param missedHeartbeats  heartbeats a device may miss before it no longer counts (2: gone after two intervals)
 * @param playWindow        a play counts for a broadcast when the device's first PLAYING comes within this after it
 * @param tick              how often expiry runs and snapshots are published (wall clock)
 * @param playRetention     how long first plays are kept to be matched with a broadcast that arrives after them
 */
public record AudienceSettings(Duration heartbeatInterval, int missedHeartbeats, Duration playWindow, Duration tick,
                               Duration playRetention) {

    public static final int BROADCASTS_KEPT = 16;

    public AudienceSettings {
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(playWindow, "playWindow");
        Objects.requireNonNull(tick, "tick");
        Objects.requireNonNull(playRetention, "playRetention");
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("heartbeatInterval must be positive: " + heartbeatInterval);
        }
        if (missedHeartbeats < 1) {
            throw new IllegalArgumentException("missedHeartbeats must be at least 1: " + missedHeartbeats);
        }
        if (playWindow.isNegative() || playWindow.isZero() || playWindow.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("playWindow must be positive and under 24 days: " + playWindow);
        }
        if (tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("tick must be positive: " + tick);
        }
        if (playRetention.compareTo(playWindow) < 0) {
            throw new IllegalArgumentException("playRetention " + playRetention + " must cover playWindow " + playWindow);
        }
    }

    /** Heartbeats every 10 s, gone after 20 s, plays counted within 60 s of a broadcast, ticks every second. */
    public static AudienceSettings defaults() {
        return new AudienceSettings(Duration.ofSeconds(10), 2, Duration.ofSeconds(60), Duration.ofSeconds(1),
                Duration.ofMinutes(15));
    }

    public AudienceSettings withHeartbeatInterval(Duration interval) {
        return new AudienceSettings(interval, missedHeartbeats, playWindow, tick, playRetention);
    }

    public AudienceSettings withPlayWindow(Duration window) {
        return new AudienceSettings(heartbeatInterval, missedHeartbeats, window, tick, playRetention);
    }

    /** A device whose last signal is older than this is gone. */
    public long goneAfterMs() {
        return heartbeatInterval.toMillis() * missedHeartbeats;
    }
}
