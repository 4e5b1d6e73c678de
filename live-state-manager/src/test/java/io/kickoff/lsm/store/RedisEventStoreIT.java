package io.kickoff.lsm.store;

import static io.kickoff.lsm.store.Futures.done;
import static io.kickoff.lsm.store.Futures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kickoff.lsm.event.Commit;
import io.kickoff.lsm.event.EventStore;
import io.kickoff.lsm.event.LeaderLease;
import io.kickoff.lsm.event.LiveEvent;
import io.kickoff.lsm.event.StoreUnavailableException;
import io.kickoff.lsm.event.VersionConflictException;
import io.kickoff.protocol.v1.Stage;
import io.kickoff.testkit.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract on a real Redis, plus what only a real server can do to a store: go away and come back. */
class RedisEventStoreIT extends EventStoreContract {
    @RegisterExtension
    static final TestRedis redis = new TestRedis();

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** Bounds the wait for Lettuce to reconnect; it normally takes well under a second. */
    private static final Duration RECOVERY = Duration.ofSeconds(30);

    /** Each test gets its own key space, so tests never see each other's data. */
    private final String prefix = "it-" + UUID.randomUUID() + ":";
    private RedisEventStore store;
    private RedisEventStore other;

    @BeforeEach
    void open() {
        store = new RedisEventStore(redis.uri(), prefix, COMMAND_TIMEOUT, clock);
        other = new RedisEventStore(redis.uri(), prefix, COMMAND_TIMEOUT, clock);
    }

    @AfterEach
    void close() {
        store.close();
        other.close();
    }

    @Override
    protected EventStore store() {
        return store;
    }

    @Override
    protected LeaderLease lease() {
        return store.leaderLease();
    }

    @Override
    protected EventStore otherClient() {
        return other;
    }

    @Override
    protected void letTimePass(Duration duration) {
        // Redis expires keys on its own clock: the caller waits for real time with Awaitility.
    }

    @Test
    void keysFollowTheDocumentedLayout() {
        LiveEvent event = commit(move(create("layout", NOW.plus(HOUR)), Stage.PREFETCH));
        RedisClient client = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<String, byte[]> connection = client.connect(RedisConnections.CODEC)) {
            RedisCommands<String, byte[]> raw = connection.sync();
            Map<String, byte[]> record = raw.hgetall(prefix + "event:layout");
            assertThat(record).containsOnlyKeys("version", "stage", "data");
            assertThat(text(record.get("version"))).isEqualTo("2");
            assertThat(text(record.get("stage"))).isEqualTo(Integer.toString(Stage.PREFETCH_VALUE));
            assertThat(raw.zscore(prefix + "events", bytes("layout"))).isZero();
            assertThat(raw.zscore(prefix + "stage:prefetch", bytes("layout"))).isZero();
            assertThat(raw.zscore(prefix + "stage:scheduled", bytes("layout"))).isNull();
            assertThat(raw.zscore(prefix + "timers", bytes("layout")))
                    .isEqualTo((double) event.nextTimer().orElseThrow().at().toEpochMilli());
            assertThat(raw.llen(prefix + "history:layout")).isEqualTo(2);
            assertThat(raw.zcard(prefix + "outbox")).isEqualTo(1);
            assertThat(text(raw.get(prefix + "outbox:seq"))).isEqualTo("1");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void servesItsDataAgainAfterRedisRestarts() {
        assumeLocalRedis();
        LiveEvent created = create("survivor", NOW.plus(HOUR));
        Commit prefetch = move(created, Stage.PREFETCH);
        commit(prefetch);

        redis.restart();

        await().atMost(RECOVERY).untilAsserted(
                () -> assertThat(done(store.find("survivor"))).contains(prefetch.event()));
        assertThat(done(store.history("survivor"))).hasSize(2);
        assertThat(outbox()).hasSize(1);
        // The restart emptied Redis's script cache: commits must still work (EVALSHA falls back to EVAL).
        LiveEvent preShow = commit(move(prefetch.event(), Stage.PRE_SHOW));
        assertThat(done(other.find("survivor"))).contains(preShow);
        assertThat(outbox()).hasSize(2);
    }

    @Test
    void failsFastWhileRedisIsDownAndRecoversWhenItReturns() {
        assumeLocalRedis();
        LiveEvent created = create("outage", NOW.plus(HOUR));

        redis.stop();
        try {
            // A caller must learn of the outage while it can still answer 503, not hang: a bound of a few command
            // timeouts, generous for a busy machine.
            Duration bound = COMMAND_TIMEOUT.multipliedBy(5);
            assertThat(failure(store.find("outage"), bound)).isInstanceOf(StoreUnavailableException.class);
            assertThat(failure(store.commit(move(created, Stage.PREFETCH)), bound))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThat(failure(store.ping(), bound)).isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> new RedisEventStore(redis.uri(), prefix, COMMAND_TIMEOUT, clock).close())
                    .isInstanceOf(StoreUnavailableException.class);
        } finally {
            redis.start();
        }

        await().atMost(RECOVERY).untilAsserted(() -> done(store.ping()));
        assertThat(done(store.find("outage"))).contains(created);
        // The commit that failed during the outage was never applied, so it applies now.
        LiveEvent prefetch = commit(move(created, Stage.PREFETCH));
        assertThat(done(store.find("outage"))).contains(prefetch);
        assertThat(done(store.history("outage"))).hasSize(2);
        assertThat(outbox()).hasSize(1);
    }

    @Test
    void aReplayedCommitThatWasAppliedIsNotAConflict() {
        // Lettuce re-sends commands that were in flight when a connection dropped; a commit whose first copy was
        // applied must not then fail as a conflict with itself.
        LiveEvent created = create("replayed", NOW.plus(HOUR));
        Commit prefetch = move(created, Stage.PREFETCH);
        commit(prefetch);

        assertThat(done(store.commit(prefetch))).isEqualTo(prefetch.event());

        assertThat(done(store.history("replayed"))).hasSize(2);
        assertThat(outbox()).hasSize(1);
        assertThat(failure(store.commit(new Commit(prefetch.event(), created.version(),
                line(prefetch.event(), "someone-else"), Optional.empty()))))
                .isInstanceOf(VersionConflictException.class);
    }

    private static void assumeLocalRedis() {
        Assumptions.assumeTrue(System.getenv("REDIS_URL") == null || System.getenv("REDIS_URL").isBlank(),
                "fault tests need a Redis that this test can stop");
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
