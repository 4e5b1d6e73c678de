package io.kickoff.prefetch.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.testkit.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisBundleStoreIT extends BundleStoreContract {
    @RegisterExtension
    static final TestRedis redis = new TestRedis();
    static RedisClient client;
    RedisBundleStore store;

    @BeforeAll
    static void connect() {
        client = RedisClient.create(redis.uri());
    }

    @AfterAll
    static void disconnect() {
        client.shutdown();
    }

    @BeforeEach
    void open() {
        store = new RedisBundleStore(client, RedisBundleStore.DEFAULT_NAMESPACE, java.time.Clock.systemUTC());
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Override
    BundleStore store() {
        return store;
    }

    @Test
    void usesTheNamespaceIdItemsLayoutWithTtl() {
        store.put(bundle("ev-9", segment, "v1"), LONG).join();
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            String item = "kickoff:bundles:{" + segment + "}:item:ev-9";
            assertThat(c.sync().exists(item)).isEqualTo(1L);
            assertThat(c.sync().pttl(item)).isPositive();
            assertThat(c.sync().zrange("kickoff:bundles:{" + segment + "}:idx", 0, -1)).containsExactly("ev-9");
        }
    }
}
