package io.kickoff.lsm.client;

import java.util.Optional;

/**
 * The optional headers of a write: {@code Idempotency-Key} (a retry with the same key gets the first
 * answer again instead of applying twice) and, for {@code PATCH} and transitions, {@code If-Match} (apply only if the
 * event is still at this ETag, e.g. {@code "3"}).
 */
public record WriteOptions(Optional<String> idempotencyKey, Optional<String> ifMatch) {
    public static final WriteOptions NONE = new WriteOptions(Optional.empty(), Optional.empty());

    public static WriteOptions idempotencyKey(String key) {
        return NONE.withIdempotencyKey(key);
    }

    public static WriteOptions ifMatch(String etag) {
        return NONE.withIfMatch(etag);
    }

    public WriteOptions withIdempotencyKey(String key) {
        return new WriteOptions(Optional.of(key), ifMatch);
    }

    public WriteOptions withIfMatch(String etag) {
        return new WriteOptions(idempotencyKey, Optional.of(etag));
    }
}
