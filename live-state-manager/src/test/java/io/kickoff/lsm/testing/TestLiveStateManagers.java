package io.kickoff.lsm.testing;

import io.kickoff.bus.EventBus;
import io.kickoff.lsm.LiveStateManager;
import io.kickoff.lsm.api.AdminToken;
import io.kickoff.lsm.client.AdminClient;
import io.kickoff.lsm.event.EventStore;
import io.kickoff.lsm.event.InMemoryEventStore;
import io.kickoff.lsm.event.LeaderLease;
import io.kickoff.lsm.idempotency.Idempotency;
import io.kickoff.lsm.idempotency.InMemoryIdempotency;
import io.kickoff.lsm.schedule.OutboxRelay;
import io.kickoff.lsm.store.InMemoryLeaderLease;
import io.kickoff.lsm.store.RedisEventStore;
import io.kickoff.testkit.TestResources;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Live State Manager instances for a test, on 127.0.0.1 and a free port, with the stores and bus the
 * test gives them, closed for it ({@link TestResources}); and admin clients for them. Every instance
 * knows the same two bearer tokens, {@link #OPERATOR} and {@link #VIEWER}. Register it after the
 * class's {@code TestRedis} and {@code TestKafka}:
 * <pre>
 *   &#64;RegisterExtension final TestLiveStateManagers lsms = new TestLiveStateManagers();
 * </pre>
 */
public final class TestLiveStateManagers extends TestResources {
    public static final String OPERATOR = "test-operator";
    public static final String VIEWER = "test-viewer";
    /** Who {@link #OPERATOR} and {@link #VIEWER} are, as the event history names them. */
    public static final String OPERATOR_NAME = "test";
    public static final String VIEWER_NAME = "test-viewer";
    /** How long an instance may take to win the leader lease. */
    public static final Duration LEAD_WITHIN = Duration.ofSeconds(60);

    /** What one instance keeps its events, idempotency keys and leader lease in. */
    public record Stores(EventStore events, Idempotency idempotency, LeaderLease lease) {
    }

    /** In-memory stores, as {@code memory} mode has them. */
    public Stores inMemory(Clock clock) {
        return new Stores(new InMemoryEventStore(clock), new InMemoryIdempotency(clock), new InMemoryLeaderLease(clock));
    }

    /** Stores on a real Redis under {@code keyPrefix}, closed for the test. */
    public Stores onRedis(String redisUri, String keyPrefix, Duration commandTimeout, Clock clock) {
        RedisEventStore store = closeAfter(new RedisEventStore(redisUri, keyPrefix, commandTimeout, clock));
        return new Stores(store, store.idempotency(), store.leaderLease());
    }

    /** Starts an instance with the default settings; it may not lead yet. */
    public LiveStateManager start(String nodeId, Stores stores, EventBus bus, Clock clock) throws Exception {
        return start(nodeId, stores, bus, clock, c -> c, OutboxRelay.BeforePublish.NONE);
    }

    /** Starts an instance with {@code settings} applied to the defaults and the relay seam {@code beforePublish}. */
    public LiveStateManager start(String nodeId, Stores stores, EventBus bus, Clock clock,
                                  UnaryOperator<LiveStateManager.Config> settings,
                                  OutboxRelay.BeforePublish beforePublish) throws Exception {
        LiveStateManager.Config config = settings.apply(LiveStateManager.Config.of("127.0.0.1", 0,
                Map.of(OPERATOR, AdminToken.operator(OPERATOR_NAME), VIEWER, AdminToken.viewer(VIEWER_NAME)), nodeId));
        return closeAfter(LiveStateManager.start(config, stores.events(), stores.idempotency(), stores.lease(), bus, clock,
                beforePublish));
    }

    /** Waits until {@code lsm} leads; returns it. */
    public static LiveStateManager leading(LiveStateManager lsm) throws Exception {
        lsm.whenLeader().get(LEAD_WITHIN.toSeconds(), TimeUnit.SECONDS);
        return lsm;
    }

    /** The admin API of {@code lsm}. */
    public static URI adminUri(LiveStateManager lsm) {
        return URI.create("http://127.0.0.1:" + lsm.adminPort());
    }

    /** An admin client of {@code lsm} with the {@link #OPERATOR} token. */
    public static AdminClient admin(LiveStateManager lsm) {
        return admin(lsm, OPERATOR);
    }

    public static AdminClient admin(LiveStateManager lsm, String token) {
        return new AdminClient(adminUri(lsm), token);
    }
}
