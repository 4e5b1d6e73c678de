package io.kickoff.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.LongSupplier;

/**
 * How many failed authentications each source address may cause: a small token bucket per
 * address, apart from the new-connections budget real devices need. A source past its budget is
 * told to back off (429) instead of being told its token is bad (401) again.
 *
 * <p>It is charged only after a token failed to verify, never before: devices behind the same
 * address (carrier NAT, an office) as a client sending garbage still get in with good tokens.
 * The addresses remembered are bounded; the least recently seen are forgotten first (a forgotten
 * address starts again with a full bucket, which only costs a few more cheap 401s). Shared by
 * every event loop of a node.
 */
final class AuthFailureBudget {
    private final int perSecond;
    private final int burst;
    private final LongSupplier nanoTime;
    private final Cache<InetAddress, TokenBucket> sources;

    public AuthFailureBudget(GatewayConfig config) {
        this(config.authFailuresPerSecond(), config.authFailureBurst(), config.authFailureSources(), System::nanoTime);
    }

    public AuthFailureBudget(int perSecond, int burst, int maxSources, LongSupplier nanoTime) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
        // Eviction runs on the caller (an event loop, a few hash operations), not on a pool of its own.
        this.sources = Caffeine.newBuilder().maximumSize(maxSources).executor(Runnable::run).recordStats().build();
    }

    /** The cache of sources' budgets, for its metrics. */
    Cache<InetAddress, TokenBucket> sources() {
        return sources;
    }

    /**
     * Charges one failed authentication to the source.
     *
     * @return true if it was within the source's budget (answer 401), false if the budget is spent (answer 429)
     */
    public boolean charge(SocketAddress remote) {
        InetAddress source = remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
        if (source == null) {
            return true; // not an IP connection (tests, local transports): nothing to key on
        }
        return sources.get(source, s -> new TokenBucket(perSecond, burst, nanoTime)).tryTake();
    }

    /** Source addresses remembered now (bounded by the configured maximum). */
    long remembered() {
        sources.cleanUp();
        return sources.estimatedSize();
    }
}
