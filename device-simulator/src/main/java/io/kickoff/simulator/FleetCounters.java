package io.kickoff.simulator;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fleet-wide tallies bumped by devices on their event loops: the bundle cache figures and, per
 * misbehaviour (and for the well-behaved), the close codes and HTTP statuses seen and the reconnects.
 * Cheap to bump from many loops; read as immutable snapshots.
 */
final class FleetCounters {
    /** Key of the devices that misbehave in no way, in {@link #outcomes}. */
    static final String WELL_BEHAVED = "well-behaved";

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder fetched = new LongAdder();
    private final LongAdder notModified = new LongAdder();
    private final LongAdder fetchFailures = new LongAdder();
    private final Map<io.kickoff.protocol.v1.PlaybackState, LongAdder> viewing =
            new EnumMap<>(io.kickoff.protocol.v1.PlaybackState.class);

    FleetCounters() {
        for (io.kickoff.protocol.v1.PlaybackState state : io.kickoff.protocol.v1.PlaybackState.values()) {
            viewing.put(state, new LongAdder());
        }
    }

    void viewingSent(io.kickoff.protocol.v1.PlaybackState state) {
        viewing.get(state).increment();
    }

    /** Viewing signals the fleet's devices sent in this state. */
    long viewingSentCount(io.kickoff.protocol.v1.PlaybackState state) {
        return viewing.get(state).sum();
    }

    private final Map<String, Tally> tallies = new ConcurrentHashMap<>();

    private static final class Tally {
        final Map<Integer, LongAdder> closeCodes = new ConcurrentHashMap<>();
        final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        final LongAdder reconnects = new LongAdder();
        final LongAdder withRetryAfter = new LongAdder();
        final LongAdder welcomes = new LongAdder();
    }

    void hit() {
        hits.increment();
    }

    void miss(boolean wasExpired) {
        misses.increment();
        if (wasExpired) {
            expired.increment();
        }
    }

    void fetched() {
        fetched.increment();
    }

    void notModified() {
        notModified.increment();
    }

    void fetchFailed() {
        fetchFailures.increment();
    }

    BundleCacheFigures bundleCache() {
        return new BundleCacheFigures(hits.sum(), misses.sum(), expired.sum(), fetched.sum(), notModified.sum(),
                fetchFailures.sum());
    }

    void closed(Optional<Misbehaviour> kind, int code) {
        tally(kind).closeCodes.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    void refused(Optional<Misbehaviour> kind, int status, boolean withRetryAfter) {
        Tally tally = tally(kind);
        tally.statuses.computeIfAbsent(status, c -> new LongAdder()).increment();
        if (withRetryAfter) {
            tally.withRetryAfter.increment();
        }
    }

    void reconnected(Optional<Misbehaviour> kind) {
        tally(kind).reconnects.increment();
    }

    void welcomed(Optional<Misbehaviour> kind) {
        tally(kind).welcomes.increment();
    }

    /** Per kind (every kind the plan gives devices, plus the well-behaved), what its devices saw. */
    Map<String, DeviceOutcomes> outcomes(MisbehaviourPlan plan, int devices) {
        Map<String, DeviceOutcomes> all = new java.util.LinkedHashMap<>();
        all.put(WELL_BEHAVED, snapshot(WELL_BEHAVED, plan.wellBehaved(devices)));
        for (Misbehaviour kind : Misbehaviour.values()) {
            int count = plan.count(kind, devices);
            if (count > 0) {
                all.put(kind.label(), snapshot(kind.label(), count));
            }
        }
        return all;
    }

    private DeviceOutcomes snapshot(String key, int devices) {
        Tally tally = tallies.get(key);
        if (tally == null) {
            return new DeviceOutcomes(key, devices, Map.of(), Map.of(), 0, 0, 0);
        }
        return new DeviceOutcomes(key, devices, sums(tally.closeCodes), sums(tally.statuses),
                tally.withRetryAfter.sum(), tally.reconnects.sum(), tally.welcomes.sum());
    }

    private static Map<Integer, Long> sums(Map<Integer, LongAdder> adders) {
        TreeMap<Integer, Long> sums = new TreeMap<>();
        adders.forEach((code, adder) -> sums.put(code, adder.sum()));
        return java.util.Collections.unmodifiableMap(sums);
    }

    private Tally tally(Optional<Misbehaviour> kind) {
        return tallies.computeIfAbsent(kind.map(Misbehaviour::label).orElse(WELL_BEHAVED), k -> new Tally());
    }
}
