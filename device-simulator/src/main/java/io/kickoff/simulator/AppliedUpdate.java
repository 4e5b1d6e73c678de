package io.kickoff.simulator;

import io.kickoff.protocol.v1.Stage;
import java.time.Instant;

/**
 * One stage update a device applied, with when it arrived, so delivery latency can be measured
 * against the time the live-state manager issued it. Times are epoch microseconds (wall clock, so
 * comparable with {@code issued_at}) plus the {@link System#nanoTime()} of receipt for ordering and
 * intervals within this process.
 *
 * @param issuedAtMicros   the update's {@code issued_at}, or 0 if the update carried none
 * @param fromSnapshot     true if it came in a welcome snapshot (a resume), false if pushed live
 * @param bundleVersion    the bundle version the update named ({@code ""}: the segment has none)
 * @param bundleHeld       true if the device held that version when the update arrived (it could render at once)
 */
public record AppliedUpdate(
        String eventId,
        long seq,
        Stage stage,
        long issuedAtMicros,
        long receivedAtMicros,
        long receivedNanoTime,
        boolean fromSnapshot,
        String bundleVersion,
        boolean bundleHeld) {

    public boolean hasIssuedAt() {
        return issuedAtMicros != 0;
    }

    /** Receipt wall time minus issue time; meaningless if {@link #hasIssuedAt()} is false. */
    public long latencyMicros() {
        return receivedAtMicros - issuedAtMicros;
    }

    public Instant issuedAt() {
        return toInstant(issuedAtMicros);
    }

    private static Instant toInstant(long epochMicros) {
        return Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L), Math.floorMod(epochMicros, 1_000_000L) * 1_000L);
    }
}
