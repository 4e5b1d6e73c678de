package io.kickoff.lsm.store;

import static io.kickoff.lsm.store.Futures.done;
import static org.assertj.core.api.Assertions.assertThat;

import io.kickoff.lsm.idempotency.Idempotency;
import io.kickoff.testkit.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The idempotency contract on a real Redis, and the key layout the docs give. */
class RedisIdempotencyIT extends IdempotencyContract {
    @RegisterExtension
    static final TestRedis redis = new TestRedis();

    /** Each test gets its own key space, so tests never see each other's data. */
    private final String prefix = "it-" + UUID.randomUUID() + ":";
    private RedisEventStore store;
    private RedisEventStore other;

    @BeforeEach
    void open() {
        store = new RedisEventStore(redis.uri(), prefix, Duration.ofSeconds(2), clock);
        other = new RedisEventStore(redis.uri(), prefix, Duration.ofSeconds(2), clock);
    }

    @AfterEach
    void close() {
        store.close();
        other.close();
    }

    @Override
    protected Idempotency idempotency() {
        return store.idempotency();
    }

    @Override
    protected Idempotency otherClient() {
        return other.idempotency();
    }

    @Override
    protected void letTimePass(Duration duration) {
        // Redis expires keys on its own clock: the caller waits for real time with Awaitility.
    }

    @Test
    void keysFollowTheDocumentedLayout() {
        done(idempotency().remember("admin:idem:abc", response("hash", 201, "{}"), HOUR));
        RedisClient client = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<String, byte[]> connection = client.connect(RedisConnections.CODEC)) {
            assertThat(connection.sync().get(prefix + "idem:admin:idem:abc")).isNotNull();
            assertThat(connection.sync().pttl(prefix + "idem:admin:idem:abc")).isBetween(1L, HOUR.toMillis());
        } finally {
            client.shutdown();
        }
    }
}
