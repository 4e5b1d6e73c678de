package io.kickoff.simulator;

import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter, as in the protocol's {@code ReconnectPolicy}: spreading
 * reconnects uniformly keeps a gateway restart from turning into a synchronised herd.
 */
final class ReconnectBackoff {
    private ReconnectBackoff() {
    }

    /** A delay in {@code [0, min(max, base * 2^attempt)]}; attempt 0 is the first retry. */
    static long delayMillis(long baseMillis, long maxMillis, int attempt, RandomGenerator random) {
        int exponent = Math.min(Math.max(attempt, 0), 30);
        long ceiling = baseMillis > (maxMillis >> exponent) ? maxMillis : Math.min(maxMillis, baseMillis << exponent);
        return ceiling <= 0 ? 0 : random.nextLong(ceiling + 1);
    }
}
