package io.kickoff.lsm.store;

import io.kickoff.lsm.idempotency.Idempotency;
import io.kickoff.lsm.idempotency.StoredResponse;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Stored answers in Redis, one string per key ({@code <prefix>idem:<key>}) expiring on Redis's clock, so every Live
 * State Manager of a deployment replays the same answer. Storing is one script (set if absent, else read), so of two
 * racing first requests both learn the answer stored first.
 */
public final class RedisIdempotency implements Idempotency {

    private static final LuaScript REMEMBER = new LuaScript("""
            if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
              return ARGV[1]
            end
            return redis.call('GET', KEYS[1])
            """);

    private final RedisAsyncCommands<String, byte[]> redis;
    private final String prefix;

    /** Answers on {@code connection}, which stays the caller's to close. See {@link RedisEventStore#idempotency()}. */
    public RedisIdempotency(StatefulRedisConnection<String, byte[]> connection, String keyPrefix) {
        this.redis = connection.async();
        this.prefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
    }

    @Override
    public CompletableFuture<Optional<StoredResponse>> lookup(String key) {
        return RedisCalls.attempt(() -> {
            String redisKey = redisKey(key);
            return RedisCalls.call(() -> redis.get(redisKey),
                    stored -> Optional.ofNullable(stored == null ? null : StoredForms.response(stored)));
        });
    }

    @Override
    public CompletableFuture<StoredResponse> remember(String key, StoredResponse response, Duration ttl) {
        return RedisCalls.attempt(() -> {
            String[] keys = {redisKey(key)};
            byte[] encoded = StoredForms.response(Objects.requireNonNull(response, "response"));
            byte[] ttlMillis = Long.toString(Math.max(1, ttl.toMillis())).getBytes(StandardCharsets.UTF_8);
            return RedisCalls.call(() -> REMEMBER.<byte[]>run(redis, ScriptOutputType.VALUE, keys, encoded, ttlMillis),
                    stored -> stored == null ? response : StoredForms.response(stored));
        });
    }

    private String redisKey(String key) {
        return prefix + "idem:" + Objects.requireNonNull(key, "key");
    }
}
