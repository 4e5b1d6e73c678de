package io.kickoff.simulator;

import java.util.Locale;

/**
 * Delivery figures of one stage update across a fleet: how many devices applied it and how long it
 * took from {@code issued_at} to receipt. Latencies are {@code NaN} when no device applied it with an
 * {@code issued_at}; percentiles are within 0.1%, the maximum is exact.
 *
 * @param applied         devices that applied exactly this update
 * @param reached         devices whose position for the event is at this seq or later (the delivery
 *                        guarantee: a device may skip an update it was offline for)
 * @param timeToAllMillis from the update's {@code issued_at} to the moment the last device of the fleet
 *                        reached this seq (received it or a later one): the broadcast's "time to 100%".
 *                        {@code NaN} unless every device reached it and at least one applied it with an
 *                        {@code issued_at}. When every device applied exactly this update it equals
 *                        {@code maxMillis}.
 * @param duplicates      stage updates of the event received again and not applied, summed over the
 *                        fleet (redeliveries and replays; any seq of the event)
 * @param latencies       the latencies behind the percentiles, to merge with other fleets' (one per
 *                        device that applied exactly this update with an {@code issued_at})
 */
public record SimulatorReport(
        String eventId,
        long seq,
        int devices,
        int connected,
        long applied,
        long reached,
        double p50Millis,
        double p99Millis,
        double maxMillis,
        double timeToAllMillis,
        long duplicates,
        LatencyHistogram latencies) {

    /** True if every device of the fleet is at this seq or later. */
    public boolean allReached() {
        return reached == devices;
    }

    @Override
    public String toString() {
        String latency = Double.isNaN(p50Millis)
                ? "latency n/a"
                : String.format(Locale.ROOT, "latency ms p50=%.1f p99=%.1f max=%.1f", p50Millis, p99Millis, maxMillis);
        String toAll = Double.isNaN(timeToAllMillis)
                ? "100% not reached"
                : String.format(Locale.ROOT, "100%% in %.1f ms", timeToAllMillis);
        return String.format(Locale.ROOT, "%s seq %d: %d/%d devices connected, %d applied, %d at seq %d or later; %s; %s",
                eventId, seq, connected, devices, applied, reached, seq, latency, toAll);
    }
}
