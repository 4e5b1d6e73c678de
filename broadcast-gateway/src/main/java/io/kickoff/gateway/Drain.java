package io.kickoff.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * One node's drain: every device stays connected and served (stage updates, redeliveries) until
 * its own moment to leave, and the moments are spread evenly over the drain window, so the node's
 * devices move to other nodes a few at a time instead of all going offline at once. At its moment
 * a device gets {@code go_away} (reason {@code drain}, reconnect at once) and its connection is
 * closed {@link #GO_AWAY_GRACE} later unless the device closed it first. The drain is over when no
 * device is left, or at the latest when the window and that grace have passed.
 *
 * <p>{@link #schedule} is called on each event loop for that loop's devices; the moments are then
 * kept by {@link SessionUpkeep}, so a drain costs no timer per connection.
 */
final class Drain {
    /** How long a device told to go away may keep its connection while it reconnects elsewhere. */
    public static final Duration GO_AWAY_GRACE = Duration.ofSeconds(2);

    private final long startNanos;
    private final long windowNanos;

    /**
     * @param window     the devices' moments are spread over this much time from {@code startNanos}
     * @param startNanos when the drain began (System.nanoTime scale)
     */
    public Drain(Duration window, long startNanos) {
        this.windowNanos = Math.max(0, window.toNanos());
        this.startNanos = startNanos;
    }

    /**
     * Gives each session not already leaving its moment: the sessions are shuffled and each gets
     * its own slice of what remains of the window, at a random point within the slice: evenly
     * spread (each slice holds one device), with jitter (no two drains send the same devices at the
     * same offsets). Runs on the sessions' event loop.
     *
     * @return how many sessions were given a moment
     */
    public int schedule(List<DeviceSession> sessions, long nowNanos, RandomGenerator random) {
        List<DeviceSession> staying = new ArrayList<>(sessions.size());
        for (DeviceSession session : sessions) {
            if (!session.closing() && session.leaveAt() == Long.MAX_VALUE) {
                staying.add(session);
            }
        }
        for (int i = staying.size() - 1; i > 0; i--) {
            Collections.swap(staying, i, random.nextInt(i + 1));
        }
        long remaining = Math.max(0, startNanos + windowNanos - nowNanos);
        int n = staying.size();
        for (int k = 0; k < n; k++) {
            double slot = (k + random.nextDouble()) / n;
            staying.get(k).leaveAt(nowNanos + (long) (slot * remaining));
        }
        return n;
    }

    /** The latest instant the node waits for: the window and the close grace after the last go-away. */
    public long deadlineNanos() {
        return startNanos + windowNanos + GO_AWAY_GRACE.toNanos();
    }

    /** True once every device has left, or the window and the grace are over. */
    public boolean over(int devicesLeft, long nowNanos) {
        return devicesLeft == 0 || nowNanos - deadlineNanos() >= 0;
    }
}
