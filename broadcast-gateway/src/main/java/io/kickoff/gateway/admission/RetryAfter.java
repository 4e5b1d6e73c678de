package io.kickoff.gateway.admission;

import io.kickoff.gateway.GatewayConfig;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * The {@code Retry-After} of every 503 and 429 the gateway sends: random in [min, max], so the
 * clients refused in the same second do not all come back in the same second.
 *
 * @param minMillis smallest delay
 * @param maxMillis largest delay
 * @param random    source of the jitter; {@code null}: a per-thread random
 */
public record RetryAfter(long minMillis, long maxMillis, RandomGenerator random) {
    public RetryAfter {
        if (minMillis < 0 || maxMillis < minMillis) {
            throw new IllegalArgumentException("need 0 <= min <= max, got " + minMillis + ", " + maxMillis);
        }
    }

    public static RetryAfter of(GatewayConfig config) {
        return new RetryAfter(config.retryAfterMin().toMillis(), config.retryAfterMax().toMillis(), null);
    }

    public static RetryAfter of(Duration min, Duration max, RandomGenerator random) {
        return new RetryAfter(min.toMillis(), max.toMillis(), random);
    }

    /** Random in [min, max], whole seconds rounded up, at least 1: spreads the comeback. */
    public long seconds() {
        long millis = minMillis >= maxMillis
                ? minMillis
                : (random != null ? random : ThreadLocalRandom.current()).nextLong(minMillis, maxMillis + 1);
        return Math.max(1, (millis + 999) / 1000);
    }

    /** Sets a fresh random {@code Retry-After} on the answer and returns it. */
    public FullHttpResponse on(FullHttpResponse response) {
        response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(seconds()));
        return response;
    }
}
