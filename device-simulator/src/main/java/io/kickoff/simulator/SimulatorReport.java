package io.kickoff.simulator;

import java.util.Locale;

/**
 * Delivery figures of one stage update across a fleet: how many devices applied it and how long it
 * took from {@code issued_at} to receipt. Latencies are {@code NaN} when no device applied it with an
 * {@code issued_at}.
 *
 * @param applied devices that applied exactly this update
 * @param reached devices whose position for the event is at this seq or later (the delivery
 *                guarantee: a device may skip an update it was offline for)
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
        double maxMillis) {

    @Override
    public String toString() {
        String latency = Double.isNaN(p50Millis)
                ? "latency n/a"
                : String.format(Locale.ROOT, "latency ms p50=%.1f p99=%.1f max=%.1f", p50Millis, p99Millis, maxMillis);
        return String.format(Locale.ROOT, "%s seq %d: %d/%d devices connected, %d applied, %d at seq %d or later; %s",
                eventId, seq, connected, devices, applied, reached, seq, latency);
    }
}
