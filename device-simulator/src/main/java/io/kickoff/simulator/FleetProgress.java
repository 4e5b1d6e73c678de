package io.kickoff.simulator;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
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

    /** A device moved from {@code fromSeq} (0: never applied the event) to {@code toSeq}. */
    void applied(String eventId, long fromSeq, long toSeq) {
        ConcurrentSkipListMap<Long, LongAdder> seqs = byEvent.computeIfAbsent(eventId, e -> new ConcurrentSkipListMap<>());
        // Out of the old seq first: a reader in between may count this device nowhere (it polls
        // again), never twice (which could tell it everyone arrived while someone has not).
        if (fromSeq > 0) {
            seqs.get(fromSeq).decrement();
        }
        seqs.computeIfAbsent(toSeq, s -> new LongAdder()).increment();
    }

    /** Devices that have applied {@code seq} of the event or a later one. */
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
