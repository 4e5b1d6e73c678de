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
        // Out of the old seq first, so a reader between the two steps misses the device rather than
        // counting it twice. (A reader summing several seqs while devices move can still count one
        // twice: callers confirm "everyone" with a scan.)
        if (fromSeq > 0) {
            seqs.get(fromSeq).decrement();
        }
        seqs.computeIfAbsent(toSeq, s -> new LongAdder()).increment();
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
