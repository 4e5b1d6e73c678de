package io.kickoff.gateway;

import io.kickoff.protocol.v1.PlaybackState;
import io.kickoff.protocol.v1.Viewing;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's viewing signals waiting to be published, at most {@code capacity} of them, so a slow or
 * absent bus costs bounded memory. When full, the oldest heartbeat ({@code PLAYING}) goes first: a
 * newer heartbeat of a playing device says the same and more. State changes ({@code PAUSED},
 * {@code STOPPED}) go only when no heartbeat is left to drop, and a new heartbeat never pushes one
 * out: a lost {@code STOPPED} would count a device that left until it expired.
 *
 * <p>Event loops {@link #offer} and the publisher {@link #take}s, so every method is synchronized;
 * each holds the lock for a few deque operations.
 */
final class ViewingQueue {
    private record Queued(long order, Viewing viewing) {
    }

    private final int capacity;
    // Two deques so the oldest heartbeat is found at once; the order number merges them back in arrival order.
    private final ArrayDeque<Queued> heartbeats = new ArrayDeque<>();
    private final ArrayDeque<Queued> changes = new ArrayDeque<>();
    private long nextOrder;
    private long dropped;

    ViewingQueue(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    /** Queues a signal, dropping the least useful one if full. Returns the number queued afterwards. */
    synchronized int offer(Viewing viewing) {
        Queued queued = new Queued(nextOrder++, viewing);
        if (size() >= capacity && !makeRoomFor(viewing)) {
            dropped++;
            return size();
        }
        (isHeartbeat(viewing) ? heartbeats : changes).addLast(queued);
        return size();
    }

    /** Frees one place for {@code incoming}; false if {@code incoming} itself is the one to drop. */
    private boolean makeRoomFor(Viewing incoming) {
        if (!heartbeats.isEmpty()) {
            heartbeats.pollFirst();
        } else if (isHeartbeat(incoming)) {
            return false;
        } else {
            changes.pollFirst();
        }
        dropped++;
        return true;
    }

    /** Up to {@code max} signals, oldest first, removed from the queue. */
    synchronized List<Viewing> take(int max) {
        int n = Math.min(max, size());
        List<Viewing> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Queued h = heartbeats.peekFirst();
            Queued c = changes.peekFirst();
            boolean heartbeatFirst = c == null || (h != null && h.order < c.order);
            batch.add((heartbeatFirst ? heartbeats : changes).pollFirst().viewing);
        }
        return batch;
    }

    /**
     * Puts back a batch that could not be published, ahead of everything queued since (it is older), then drops
     * what no longer fits by the same rule as {@link #offer}.
     */
    synchronized void putBack(List<Viewing> batch) {
        long order = Math.min(oldestOrder(), nextOrder) - batch.size();
        ArrayDeque<Queued> backHeartbeats = new ArrayDeque<>();
        ArrayDeque<Queued> backChanges = new ArrayDeque<>();
        for (Viewing viewing : batch) {
            (isHeartbeat(viewing) ? backHeartbeats : backChanges).addLast(new Queued(order++, viewing));
        }
        while (!backHeartbeats.isEmpty()) {
            heartbeats.addFirst(backHeartbeats.pollLast());
        }
        while (!backChanges.isEmpty()) {
            changes.addFirst(backChanges.pollLast());
        }
        while (size() > capacity) {
            (heartbeats.isEmpty() ? changes : heartbeats).pollFirst();
            dropped++;
        }
    }

    private long oldestOrder() {
        long oldest = Long.MAX_VALUE;
        if (!heartbeats.isEmpty()) {
            oldest = heartbeats.peekFirst().order;
        }
        if (!changes.isEmpty()) {
            oldest = Math.min(oldest, changes.peekFirst().order);
        }
        return oldest;
    }

    synchronized int size() {
        return heartbeats.size() + changes.size();
    }

    /** Signals dropped since the start because the queue was full. */
    synchronized long dropped() {
        return dropped;
    }

    private static boolean isHeartbeat(Viewing viewing) {
        return viewing.getState() == PlaybackState.PLAYING;
    }
}
