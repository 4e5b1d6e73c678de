package io.kickoff.lsm.store;

import io.kickoff.lsm.event.LeaderLease;
import io.kickoff.testkit.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The lease contract on a real Redis, each node on its own connection as separate LSM instances would be. */
class RedisLeaderLeaseIT extends LeaderLeaseContract {
    @RegisterExtension
    static final TestRedis redis = new TestRedis();

    private static ClientResources resources;
    private static RedisClient client;

    private StatefulRedisConnection<String, byte[]> first;
    private StatefulRedisConnection<String, byte[]> second;
    private LeaderLease lease;
    private LeaderLease otherNode;

    @BeforeAll
    static void createClient() {
        resources = RedisConnections.clientResources();
        client = RedisConnections.client(resources, redis.uri(), RedisConnections.DEFAULT_COMMAND_TIMEOUT);
    }

    @AfterAll
    static void shutdownClient() throws Exception {
        client.shutdown();
        resources.shutdown(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS);
    }

    @BeforeEach
    void connect() {
        String prefix = "it-" + UUID.randomUUID() + ":";
        first = RedisConnections.connect(client);
        second = RedisConnections.connect(client);
        lease = new RedisLeaderLease(first, prefix);
        otherNode = new RedisLeaderLease(second, prefix);
    }

    @AfterEach
    void disconnect() {
        first.close();
        second.close();
    }

    @Override
    protected LeaderLease lease() {
        return lease;
    }

    @Override
    protected LeaderLease otherNode() {
        return otherNode;
    }

    @Override
    protected void letTimePass(Duration duration) {
        // Redis expires the lease on its own clock: the caller waits for real time with Awaitility.
    }
}
