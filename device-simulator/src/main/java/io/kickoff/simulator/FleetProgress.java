package io.kickoff.simulator;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many devices of a fleet have applied each event up to which seq, kept as devices apply
 * updates, so "how many have reached seq S" is a sum over a handful of seqs rather than a scan of
 * every device (which, polled during a broadcast, cost the client a noticeable share of the CPU
 * its devices need).
 */
final class FleetProgress {
    // event id → (seq → devices whose latest applied seq of the event is exactly that)
    private final Map<String, ConcurrentSkipListMap<Long, LongAdder>> byEvent = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Waiter> waiters = new CopyOnWriteArrayList<>();

    /**
     * Someone waiting for {@code devices} devices to reach {@code seq}; {@code confirm} runs once the
     * tally says so (it may be off by a device in motion) and re-arms the wait if a scan disagrees.
     */
    private record Waiter(String eventId, long seq, long devices, Runnable confirm) {
    }

    /** A device moved from {@code fromSeq} (0: never applied the event) to {@code toSeq}. */
    void applied(String eventId, long fromSeq, long toSeq) {
        ConcurrentSkipListMap<Long, LongAdder> seqs = byEvent.computeIfAbsent(eventId, e -> new ConcurrentSkipListMap<>());
        // Out of the old seq first, so a reader between the two steps misses the device rather than
        // counting it twice. (A reader summing several seqs while devices move can still count one
        // twice: callers confirm "everyone" with a scan.)
        if (fromSeq > 0) {
            seqs.get(fromSeq).decrement();
        }
        seqs.computeIfAbsent(toSeq, s -> new LongAdder()).increment();
        if (!waiters.isEmpty()) {
            for (Waiter waiter : waiters) {
                // Only a device arriving at or past the waited seq can complete the wait.
                if (toSeq >= waiter.seq() && fromSeq < waiter.seq() && waiter.eventId().equals(eventId)
                        && reached(eventId, waiter.seq()) >= waiter.devices() && waiters.remove(waiter)) {
                    waiter.confirm().run();
                }
            }
        }
    }

    /**
     * Calls {@code confirm} (on the thread of the device that tipped the count, or this one) once the
     * tally has {@code devices} devices at {@code seq} or later; {@code confirm} checks exactly and calls
     * this again if the tally was early.
     */
    void onReached(String eventId, long seq, long devices, Runnable confirm) {
        Waiter waiter = new Waiter(eventId, seq, devices, confirm);
        waiters.add(waiter);
        // It may have happened already, before the waiter was there to see it.
        if (reached(eventId, seq) >= devices && waiters.remove(waiter)) {
            confirm.run();
        }
    }

    /** Drops every wait (the fleet closes). */
    void clearWaits() {
        waiters.clear();
    }

    /** Devices that have applied {@code seq} of the event or a later one; exact when no device is moving. */
    long reached(String eventId, long seq) {
        ConcurrentSkipListMap<Long, LongAdder> seqs = byEvent.get(eventId);
        if (seqs == null) {
            return 0;
        }
        long devices = 0;
        for (LongAdder count : seqs.tailMap(seq, true).values()) {
            devices += count.sum();
        }
        return devices;
    }
}
