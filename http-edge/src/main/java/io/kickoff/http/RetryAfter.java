package io.kickoff.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * A jittered {@code Retry-After}: a whole number of seconds drawn uniformly from {@code [min, max]}, so that
 * clients refused together do not all come back in the same second. Bounds that are not whole seconds are
 * rounded up (a client is never told to come back before {@code min}), and the value is at least 1.
 */
public final class RetryAfter {
    private final long min;
    private final long max;
    private final DoubleSupplier uniform;

    /** @param uniform yields values in [0, 1); tests inject a seeded one */
    public RetryAfter(Duration min, Duration max, DoubleSupplier uniform) {
        this.min = Math.max(1, ceilSeconds(min));
        this.max = Math.max(this.min, ceilSeconds(max));
        this.uniform = Objects.requireNonNull(uniform, "uniform");
    }

    public static RetryAfter between(Duration min, Duration max) {
        return new RetryAfter(min, max, () -> ThreadLocalRandom.current().nextDouble());
    }

    private static long ceilSeconds(Duration d) {
        return d.getNano() == 0 ? d.getSeconds() : d.getSeconds() + 1;
    }

    /** Seconds in {@code [min, max]}, at least 1. */
    public long seconds() {
        return Math.min(max, min + (long) Math.floor(uniform.getAsDouble() * (max - min + 1)));
    }

    /** The header value: {@link #seconds()} as text. */
    public String value() {
        return Long.toString(seconds());
    }

    /** Sets a freshly drawn {@code Retry-After} on the answer and returns it. */
    public <R extends HttpResponse> R on(R response) {
        response.headers().set(HttpHeaderNames.RETRY_AFTER, value());
        return response;
    }

    public Duration min() {
        return Duration.ofSeconds(min);
    }

    public Duration max() {
        return Duration.ofSeconds(max);
    }
}
