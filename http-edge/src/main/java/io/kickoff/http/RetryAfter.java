package io.kickoff.http;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * A jittered {@code Retry-After}: a whole number of seconds drawn uniformly from {@code [min, max]}, so that
 * clients refused together do not all come back in the same second.
 */
public final class RetryAfter {
    private final long min;
    private final long max;
    private final DoubleSupplier uniform;

    /** @param uniform yields values in [0, 1) */
    public RetryAfter(Duration min, Duration max, DoubleSupplier uniform) {
        this.min = Math.max(1, min.toSeconds());
        this.max = Math.max(this.min, max.toSeconds());
        this.uniform = Objects.requireNonNull(uniform, "uniform");
    }

    public static RetryAfter between(Duration min, Duration max) {
        return new RetryAfter(min, max, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** Seconds in {@code [min, max]}, at least 1. */
    public long seconds() {
        return Math.min(max, min + (long) Math.floor(uniform.getAsDouble() * (max - min + 1)));
    }

    /** The header value: {@link #seconds()} as text. */
    public String value() {
        return Long.toString(seconds());
    }

    public Duration min() {
        return Duration.ofSeconds(min);
    }

    public Duration max() {
        return Duration.ofSeconds(max);
    }
}
