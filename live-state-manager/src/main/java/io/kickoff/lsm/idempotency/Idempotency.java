package io.kickoff.lsm.idempotency;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where the admin API keeps the first answer to each write sent with an {@code Idempotency-Key}, so a retry is
 * answered the same without being applied again. Keys are opaque here: the API scopes them (token, method, resource,
 * key) before it asks. Implementations: {@link InMemoryIdempotency} and {@code io.kickoff.lsm.store.RedisIdempotency},
 * held to one contract.
 */
public interface Idempotency {

    /** The answer stored for {@code key}, if one is and it has not expired. */
    CompletableFuture<Optional<StoredResponse>> lookup(String key);

    /**
     * Stores {@code response} for {@code key} for {@code ttl}, unless an answer is stored for it already; returns the
     * answer that is stored now (of two racing first requests, the second learns the first one's answer).
     */
    CompletableFuture<StoredResponse> remember(String key, StoredResponse response, Duration ttl);
}
