package io.kickoff.lsm.idempotency;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Stored answers in this process's memory, expiring on {@code clock}: for development and tests, and for a single
 * Live State Manager without Redis. Every future is already complete when it is returned.
 */
public final class InMemoryIdempotency implements Idempotency {
    /** Expired keys are swept after this many insertions, so the map cannot grow without bound. */
    private static final int SWEEP_EVERY = 256;

    private final Clock clock;
    private final Map<String, Remembered> answers = new HashMap<>();
    private int insertsSinceSweep;

    public InMemoryIdempotency(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized CompletableFuture<Optional<StoredResponse>> lookup(String key) {
        Objects.requireNonNull(key, "key");
        Remembered remembered = answers.get(key);
        return CompletableFuture.completedFuture(remembered == null || remembered.expiredAt(clock.instant())
                ? Optional.empty() : Optional.of(remembered.response()));
    }

    @Override
    public synchronized CompletableFuture<StoredResponse> remember(String key, StoredResponse response, Duration ttl) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(ttl, "ttl");
        Instant now = clock.instant();
        Remembered remembered = answers.get(key);
        if (remembered != null && !remembered.expiredAt(now)) {
            return CompletableFuture.completedFuture(remembered.response());
        }
        answers.put(key, new Remembered(response, now.plus(ttl)));
        if (++insertsSinceSweep >= SWEEP_EVERY) {
            insertsSinceSweep = 0;
            answers.values().removeIf(r -> r.expiredAt(now));
        }
        return CompletableFuture.completedFuture(response);
    }

    private record Remembered(StoredResponse response, Instant expiresAt) {
        boolean expiredAt(Instant now) {
            return !now.isBefore(expiresAt);
        }
    }
}
