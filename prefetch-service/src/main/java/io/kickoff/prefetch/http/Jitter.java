package io.kickoff.prefetch.http;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Jittered durations, so that a herd that fetched together does not come back together.
 * {@code around(base, fraction)} is uniform in {@code [base·(1−fraction), base·(1+fraction)]}.
 * (Retry-After is jittered by {@link io.kickoff.http.RetryAfter}, fed from {@link #uniform()}.)
 */
public final class Jitter {
    private final DoubleSupplier uniform;

    /** {@code uniform} yields values in [0, 1). */
    public Jitter(DoubleSupplier uniform) {
        this.uniform = uniform;
    }

    public static Jitter random() {
        return new Jitter(() -> ThreadLocalRandom.current().nextDouble());
    }

    /** A value in [0, 1) from this jitter's source. */
    public double uniform() {
        return uniform.getAsDouble();
    }

    /** Whole seconds in {@code [base·(1−fraction), base·(1+fraction)]} (rounded inwards), at least 1. */
    public long secondsAround(Duration base, double fraction) {
        if (fraction < 0 || fraction >= 1) {
            throw new IllegalArgumentException("fraction must be in [0, 1), got " + fraction);
        }
        double b = base.toMillis() / 1000.0;
        long lo = Math.max(1, (long) Math.ceil(b * (1 - fraction)));
        long hi = Math.max(lo, (long) Math.floor(b * (1 + fraction)));
        return lo + (long) Math.floor(uniform.getAsDouble() * (hi - lo + 1));
    }
}
