package io.kickoff.lsm.store;

import io.kickoff.lsm.event.LeaderLease;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The leader lease of the Redis modes: whoever holds {@code <prefix>leader} fires timers and relays the outbox. The key
 * holds {@code <epoch>:<nodeId>} and expires after the TTL (Redis's clock, not ours, so clock skew between nodes does
 * not matter); {@code <prefix>leader:epoch} is a counter incremented each time a node newly takes the lease, which makes
 * the epoch a fencing token that only grows. Taking, renewing and releasing are each one script, so a node can never
 * renew or delete a lease that has meanwhile passed to another node.
 */
final class RedisLeaderLease implements LeaderLease {

    private static final LuaScript ACQUIRE_OR_RENEW = new LuaScript("""
            -- KEYS: leader, epoch counter; ARGV: node id, ttl in ms. Returns the epoch, or -1 if another node leads.
            local holder = redis.call('GET', KEYS[1])
            if holder then
              local sep = string.find(holder, ':', 1, true)
              if string.sub(holder, sep + 1) == ARGV[1] then
                redis.call('PEXPIRE', KEYS[1], ARGV[2])
                return tonumber(string.sub(holder, 1, sep - 1))
              end
              return -1
            end
            local epoch = redis.call('INCR', KEYS[2])
            redis.call('SET', KEYS[1], string.format('%d', epoch) .. ':' .. ARGV[1], 'NX', 'PX', ARGV[2])
            return epoch
            """);

    private static final LuaScript RELEASE = new LuaScript("""
            -- KEYS: leader; ARGV: node id. Deletes the lease only if that node holds it.
            local holder = redis.call('GET', KEYS[1])
            if holder then
              local sep = string.find(holder, ':', 1, true)
              if string.sub(holder, sep + 1) == ARGV[1] then
                return redis.call('DEL', KEYS[1])
              end
            end
            return 0
            """);

    private final RedisAsyncCommands<String, byte[]> redis;
    private final String[] keys;
    private final String leaderKey;

    /** A lease on {@code connection}, which stays the caller's to close. See {@link RedisEventStore#leaderLease()}. */
    public RedisLeaderLease(StatefulRedisConnection<String, byte[]> connection, String keyPrefix) {
        this.redis = connection.async();
        this.leaderKey = Objects.requireNonNull(keyPrefix, "keyPrefix") + "leader";
        this.keys = new String[] {leaderKey, leaderKey + ":epoch"};
    }

    @Override
    public CompletableFuture<Optional<Long>> acquireOrRenew(String nodeId, Duration ttl) {
        return RedisCalls.attempt(() -> {
            byte[] node = nodeId(nodeId);
            if (ttl.toMillis() < 1) {
                throw new IllegalArgumentException("ttl must be at least 1 ms, not " + ttl);
            }
            byte[] millis = Long.toString(ttl.toMillis()).getBytes(StandardCharsets.US_ASCII);
            return RedisCalls.call(() -> ACQUIRE_OR_RENEW.<Long>run(redis, ScriptOutputType.INTEGER, keys, node, millis),
                    epoch -> epoch < 0 ? Optional.<Long>empty() : Optional.of(epoch));
        });
    }

    @Override
    public CompletableFuture<Void> release(String nodeId) {
        return RedisCalls.attempt(() -> {
            byte[] node = nodeId(nodeId);
            String[] leader = {leaderKey};
            return RedisCalls.call(() -> RELEASE.<Long>run(redis, ScriptOutputType.INTEGER, leader, node),
                    deleted -> null);
        });
    }

    private static byte[] nodeId(String nodeId) {
        if (nodeId == null || nodeId.isEmpty()) {
            throw new IllegalArgumentException("nodeId must not be empty");
        }
        return nodeId.getBytes(StandardCharsets.UTF_8);
    }
}
