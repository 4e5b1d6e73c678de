package io.kickoff.simulator;

import io.kickoff.protocol.v1.Stage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of one simulated device: what it has applied, whether it is connected and
 * what it has seen. The device replaces its view on every change, so reading one is free and
 * always self-consistent, from any thread.
 */
public final class DeviceView {
    private final int index;
    private final String deviceId;
    private final boolean connected;
    private final Map<String, EventPosition> positions;
    /** Newest first; sharing tails keeps each change to one small allocation. */
    private final AppliedEntry lastApplied;
    private final long duplicates;
    private final int welcomes;
    private final long bundlesReceived;
    private final long errorsReceived;
    private final String lastConnectFailure;
    private final BundleFetches fetches;
    /** Null: the device behaves. */
    private final Misbehaviour misbehaviour;

    /** Counters of bundles a stage update named and the device did not hold. */
    private record BundleFetches(long missing, long critical, long fetched, long failed) {
        static final BundleFetches NONE = new BundleFetches(0, 0, 0, 0);
    }

    private record AppliedEntry(AppliedUpdate update, AppliedEntry previous) {
    }

    static DeviceView initial(int index, String deviceId) {
        return initial(index, deviceId, Optional.empty());
    }

    static DeviceView initial(int index, String deviceId, Optional<Misbehaviour> misbehaviour) {
        return new DeviceView(index, deviceId, false, Map.of(), null, 0, 0, 0, 0, null, BundleFetches.NONE,
                misbehaviour.orElse(null));
    }

    /** The way this device misbehaves on purpose; empty: it behaves. */
    public Optional<Misbehaviour> misbehaviour() {
        return Optional.ofNullable(misbehaviour);
    }

    private DeviceView(int index, String deviceId, boolean connected, Map<String, EventPosition> positions,
            AppliedEntry lastApplied, long duplicates, int welcomes, long bundlesReceived, long errorsReceived,
            String lastConnectFailure, BundleFetches fetches, Misbehaviour misbehaviour) {
        this.index = index;
        this.deviceId = deviceId;
        this.connected = connected;
        this.positions = positions;
        this.lastApplied = lastApplied;
        this.duplicates = duplicates;
        this.welcomes = welcomes;
        this.bundlesReceived = bundlesReceived;
        this.errorsReceived = errorsReceived;
        this.lastConnectFailure = lastConnectFailure;
        this.fetches = fetches;
        this.misbehaviour = misbehaviour;
    }

    /** Position of this device in its fleet, the argument given to the fleet's token function. */
    public int index() {
        return index;
    }

    public String deviceId() {
        return deviceId;
    }

    /** True while the device holds an open WebSocket (handshake done, not yet closed). */
    public boolean connected() {
        return connected;
    }

    /** Event id → last applied update; what the device would send in its next hello. */
    Map<String, EventPosition> positions() {
        return positions;
    }

    /** The seq of the last update applied for the event, 0 if none. */
    public long appliedSeq(String eventId) {
        EventPosition position = positions.get(eventId);
        return position == null ? 0 : position.seq();
    }

    /** The stage the device shows for the event, if it has applied any update of it. */
    public Optional<Stage> stage(String eventId) {
        return Optional.ofNullable(positions.get(eventId)).map(EventPosition::stage);
    }

    /** True if the device's current position for the event is exactly this stage and seq. */
    boolean isAt(String eventId, Stage stage, long seq) {
        EventPosition position = positions.get(eventId);
        return position != null && position.seq() == seq && position.stage() == stage;
    }

    /** The record of applying this exact update, if the device applied it (it may have skipped it). */
    public Optional<AppliedUpdate> applied(String eventId, long seq) {
        for (AppliedEntry entry = lastApplied; entry != null; entry = entry.previous()) {
            AppliedUpdate update = entry.update();
            if (update.seq() == seq && update.eventId().equals(eventId)) {
                return Optional.of(update);
            }
        }
        return Optional.empty();
    }

    /**
     * The first update of the event this device applied at this seq or later: when it reached that
     * seq (it may have skipped the seq itself, e.g. after being offline).
     */
    Optional<AppliedUpdate> firstAppliedAtOrAfter(String eventId, long seq) {
        AppliedUpdate first = null;
        for (AppliedEntry entry = lastApplied; entry != null; entry = entry.previous()) {
            AppliedUpdate update = entry.update();
            if (update.eventId().equals(eventId)) {
                if (update.seq() < seq) {
                    break; // seqs of one event only grow: everything older is below too
                }
                first = update;
            }
        }
        return Optional.ofNullable(first);
    }

    /** Every update applied, oldest first. */
    public List<AppliedUpdate> appliedUpdates() {
        List<AppliedUpdate> updates = new ArrayList<>();
        for (AppliedEntry entry = lastApplied; entry != null; entry = entry.previous()) {
            updates.add(entry.update());
        }
        Collections.reverse(updates);
        return Collections.unmodifiableList(updates);
    }

    /** Stage updates received but not applied because their seq was not newer (they were still acked). */
    public long duplicates() {
        return duplicates;
    }

    /** How many sessions were established: 1 after the first connect, +1 per successful reconnect. */
    public int welcomes() {
        return welcomes;
    }

    public long bundlesReceived() {
        return bundlesReceived;
    }

    /** Stage updates applied that named a bundle version the device did not hold at that moment. */
    long bundlesMissing() {
        return fetches.missing();
    }

    /** Requests to the bundle API made as {@code critical} because an update named a bundle not held. */
    public long criticalBundleFetches() {
        return fetches.critical();
    }

    /** Bundles received from the bundle API (all critical fetches together). */
    public long bundlesFetched() {
        return fetches.fetched();
    }

    /** Error frames received plus frames that could not be decoded. */
    long errorsReceived() {
        return errorsReceived;
    }

    /** Why the last connection attempt that did not reach welcome failed, if one did. */
    Optional<String> lastConnectFailure() {
        return Optional.ofNullable(lastConnectFailure);
    }

    DeviceView withConnected(boolean nowConnected) {
        return new DeviceView(index, deviceId, nowConnected, positions, lastApplied, duplicates, welcomes,
                bundlesReceived, errorsReceived, lastConnectFailure, fetches, misbehaviour);
    }

    DeviceView withApplied(AppliedUpdate update) {
        Map<String, EventPosition> next;
        EventPosition position = new EventPosition(update.seq(), update.stage());
        if (positions.isEmpty()) {
            next = Map.of(update.eventId(), position);
        } else {
            HashMap<String, EventPosition> copy = new HashMap<>(positions);
            copy.put(update.eventId(), position);
            next = Map.copyOf(copy);
        }
        return new DeviceView(index, deviceId, connected, next, new AppliedEntry(update, lastApplied), duplicates,
                welcomes, bundlesReceived, errorsReceived, lastConnectFailure, fetches, misbehaviour);
    }

    DeviceView withDuplicate() {
        return new DeviceView(index, deviceId, connected, positions, lastApplied, duplicates + 1, welcomes,
                bundlesReceived, errorsReceived, lastConnectFailure, fetches, misbehaviour);
    }

    DeviceView withWelcome() {
        return new DeviceView(index, deviceId, connected, positions, lastApplied, duplicates, welcomes + 1,
                bundlesReceived, errorsReceived, lastConnectFailure, fetches, misbehaviour);
    }

    DeviceView withBundleReceived() {
        return new DeviceView(index, deviceId, connected, positions, lastApplied, duplicates, welcomes,
                bundlesReceived + 1, errorsReceived, lastConnectFailure, fetches, misbehaviour);
    }

    DeviceView withErrorReceived() {
        return new DeviceView(index, deviceId, connected, positions, lastApplied, duplicates, welcomes,
                bundlesReceived, errorsReceived + 1, lastConnectFailure, fetches, misbehaviour);
    }

    DeviceView withBundleMissing() {
        return withFetches(new BundleFetches(fetches.missing() + 1, fetches.critical(), fetches.fetched(), fetches.failed()));
    }

    DeviceView withCriticalFetch() {
        return withFetches(new BundleFetches(fetches.missing(), fetches.critical() + 1, fetches.fetched(), fetches.failed()));
    }

    DeviceView withBundlesFetched(int bundles) {
        return withFetches(new BundleFetches(fetches.missing(), fetches.critical(), fetches.fetched() + bundles, fetches.failed()));
    }

    DeviceView withFetchFailure() {
        return withFetches(new BundleFetches(fetches.missing(), fetches.critical(), fetches.fetched(), fetches.failed() + 1));
    }

    private DeviceView withFetches(BundleFetches next) {
        return new DeviceView(index, deviceId, connected, positions, lastApplied, duplicates, welcomes,
                bundlesReceived, errorsReceived, lastConnectFailure, next, misbehaviour);
    }

    DeviceView withConnectFailure(String failure) {
        return new DeviceView(index, deviceId, connected, positions, lastApplied, duplicates, welcomes,
                bundlesReceived, errorsReceived, failure, fetches, misbehaviour);
    }

    @Override
    public String toString() {
        return "DeviceView[" + deviceId + (connected ? " connected" : " disconnected") + ", positions=" + positions
                + ", duplicates=" + duplicates + ", welcomes=" + welcomes
                + (lastConnectFailure == null ? "" : ", lastConnectFailure=" + lastConnectFailure) + "]";
    }
}
