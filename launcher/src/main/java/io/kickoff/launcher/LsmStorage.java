package io.kickoff.launcher;

import io.kickoff.lsm.event.EventStore;
import io.kickoff.lsm.event.InMemoryEventStore;
import io.kickoff.lsm.event.LeaderLease;
import io.kickoff.lsm.idempotency.Idempotency;
import io.kickoff.lsm.idempotency.InMemoryIdempotency;
import io.kickoff.lsm.store.InMemoryLeaderLease;
import io.kickoff.lsm.store.RedisEventStore;

/**
 * Where the Live State Manager keeps events, idempotency keys and its leader lease: Redis when there is one, memory
 * otherwise.
 */
record LsmStorage(EventStore store, Idempotency idempotency, LeaderLease lease, AutoCloseable closer) implements AutoCloseable {

    static LsmStorage open(String redisUri) {
        if (redisUri == null || redisUri.isBlank()) {
            // The store checks the lease's fencing token on leader-only writes, as the Redis scripts do.
            InMemoryLeaderLease lease = new InMemoryLeaderLease();
            return new LsmStorage(new InMemoryEventStore(java.time.Clock.systemUTC(), lease::currentEpoch),
                    new InMemoryIdempotency(java.time.Clock.systemUTC()), lease, () -> { });
        }
        RedisEventStore redis = new RedisEventStore(redisUri);
        return new LsmStorage(redis, redis.idempotency(), redis.leaderLease(), redis::close);
    }

    boolean durable() {
        return store instanceof RedisEventStore;
    }

    @Override
    public void close() {
        try {
            closer.close();
        } catch (Exception e) {
            // closing a client on the way out: nothing left to do about it
        }
    }
}
