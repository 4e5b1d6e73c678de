package io.kickoff.simulator;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Wall-clock times as epoch microseconds, the unit latencies are recorded in. */
final class Clocks {
    private Clocks() {
    }

    static long epochMicrosNow() {
        return toEpochMicros(Instant.now());
    }

    static long toEpochMicros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000L;
    }

    /** 0 for an unset timestamp, which {@link AppliedUpdate#hasIssuedAt()} reads as "none". */
    static long toEpochMicros(Timestamp timestamp) {
        return timestamp.getSeconds() * 1_000_000L + timestamp.getNanos() / 1_000L;
    }
}
