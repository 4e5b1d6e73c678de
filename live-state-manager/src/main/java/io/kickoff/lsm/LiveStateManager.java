package io.kickoff.lsm;

import io.kickoff.bus.EventBus;
import io.kickoff.bus.FencedPublisher;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Subscription;
import io.kickoff.bus.Topic;
import io.kickoff.http.EdgeLimits;
import io.kickoff.http.NamedThreads;
import io.kickoff.http.TlsFiles;
import io.kickoff.lsm.api.AdminApi;
import io.kickoff.lsm.api.AdminServer;
import io.kickoff.lsm.api.AdminToken;
import io.kickoff.lsm.api.BrowserAccess;
import io.kickoff.lsm.api.Readiness;
import io.kickoff.lsm.audience.AudienceMetrics;
import io.kickoff.lsm.audience.AudienceView;
import io.kickoff.lsm.audience.BusAudienceView;
import io.kickoff.lsm.audience.UnavailableAudienceView;
import io.kickoff.lsm.delivery.DeliveryBoard;
import io.kickoff.lsm.event.EventStore;
import io.kickoff.lsm.event.LeaderLease;
import io.kickoff.lsm.event.LiveEvents;
import io.kickoff.lsm.event.StoreHealth;
import io.kickoff.lsm.idempotency.Idempotency;
import io.kickoff.lsm.schedule.Leadership;
import io.kickoff.lsm.schedule.OutboxRelay;
import io.kickoff.lsm.schedule.StageScheduler;
import io.kickoff.http.NodeMeters;
import io.kickoff.lsm.event.OutboxEntry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Live State Manager instance, wired: store, state machine, admin API, and — while this
 * instance leads — the scheduler that fires timers and the relay that moves the outbox to the bus.
 * Every instance serves the admin API; one leads at a time.
 */
public final class LiveStateManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveStateManager.class);
    /** Commit to bus acknowledgement: milliseconds normally, seconds to minutes while the bus is away. */
    static final Duration[] RELAY_LAG_BUCKETS = NodeMeters.buckets(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
            0.5, 1, 2.5, 5, 10, 30, 60, 300);

    /**
     * @param host           address of the admin API
     * @param port           port of the admin API (0: any free port)
     * @param tokens         bearer tokens of the admin API: who each one is and what it may do
     * @param nodeId         this instance's name in the leader lease and the logs
     * @param leaseTtl       the leader lease's time-to-live; renewed every third of it
     * @param tick           how often the leader looks for due timers and outbox entries
     * @param storeTimeout   how long the scheduler and relay wait for one store or bus call
     * @param relayGroup     the name all instances' outbox relays share on the bus (Kafka: the relay producer's
     *                       {@code transactional.id}); a new leader's claim of it fences every earlier leader's relay
     * @param browser        origins allowed to call the admin API from a browser, and the bundle API the console uses
     * @param tls            certificate and key of {@code https://} on the admin API, reloaded when the files change;
     *                       empty: plain {@code http://}
     * @param audience       whether an audience service publishes on the bus, so that the admin API, the console and
     *                       {@code /metrics} show the audience of events from it; false ({@code memory} mode, which
     *                       has no Kafka, or {@code kickoff lsm --no-audience}): the audience endpoint answers 503
     *                       {@code audience-unavailable}
     */
    public record Config(String host, int port, Map<String, AdminToken> tokens, String nodeId, Duration leaseTtl,
                         Duration tick, Duration storeTimeout, String relayGroup, BrowserAccess browser,
                         Optional<TlsFiles> tls, boolean audience) {
        /** The default {@link #relayGroup()}: one Kickoff deployment per Kafka cluster. */
        public static final String DEFAULT_RELAY_GROUP = "kickoff-lsm-outbox";

        public Config(String host, int port, Map<String, AdminToken> tokens, String nodeId, Duration leaseTtl,
                      Duration tick, Duration storeTimeout, String relayGroup, BrowserAccess browser) {
            this(host, port, tokens, nodeId, leaseTtl, tick, storeTimeout, relayGroup, browser, Optional.empty(), true);
        }

        public Config {
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(nodeId, "nodeId");
            if (relayGroup == null || relayGroup.isBlank()) {
                throw new IllegalArgumentException("relayGroup must not be blank");
            }
            Objects.requireNonNull(browser, "browser");
            tokens = Map.copyOf(tokens);
            if (tokens.isEmpty()) {
                throw new IllegalArgumentException("the admin API needs at least one bearer token");
            }
            if (leaseTtl.toMillis() < 300 || tick.isZero() || tick.isNegative()) {
                throw new IllegalArgumentException("leaseTtl must be at least 300 ms and tick positive");
            }
        }

        /** Defaults: lease 5 s, tick 100 ms, store calls 3 s, no cross-origin callers, no bundle API, the audience on. */
        public static Config of(String host, int port, Map<String, AdminToken> tokens, String nodeId) {
            return new Config(host, port, tokens, nodeId, Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(3),
                    DEFAULT_RELAY_GROUP, BrowserAccess.none(), Optional.empty(), true);
        }

        public Config withLeaseTtl(Duration ttl) {
            return new Config(host, port, tokens, nodeId, ttl, tick, storeTimeout, relayGroup, browser, tls, audience);
        }

        public Config withRelayGroup(String group) {
            return new Config(host, port, tokens, nodeId, leaseTtl, tick, storeTimeout, group, browser, tls, audience);
        }

        public Config withBrowserAccess(BrowserAccess access) {
            return new Config(host, port, tokens, nodeId, leaseTtl, tick, storeTimeout, relayGroup, access, tls, audience);
        }

        /** The admin API on {@code https://} with these files. */
        public Config withTls(TlsFiles files) {
            return new Config(host, port, tokens, nodeId, leaseTtl, tick, storeTimeout, relayGroup, browser,
                    Optional.of(files), audience);
        }

        /** With no audience source: the audience endpoint answers 503 {@code audience-unavailable}. */
        public Config withoutAudience() {
            return new Config(host, port, tokens, nodeId, leaseTtl, tick, storeTimeout, relayGroup, browser, tls, false);
        }
    }

    private final LiveEvents events;
    private final Leadership leadership;
    private final StageScheduler scheduler;
    private final OutboxRelay relay;
    private final FencedPublisher relayPublisher;
    private final StoreHealth storeHealth;
    private final ScheduledExecutorService conductor;
    private final Subscription deliveryReports;
    private final Subscription bundleVersions;
    private final Optional<BusAudienceView> audienceFeed;
    private final AdminServer admin;
    private final NodeMeters meters;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LiveStateManager(Config config, EventStore store, Idempotency idempotency, LeaderLease lease, EventBus bus,
                             Clock clock, OutboxRelay.BeforePublish beforePublish) throws InterruptedException {
        long timeout = config.storeTimeout().toMillis();
        this.conductor = Executors.newSingleThreadScheduledExecutor(NamedThreads.daemon("lsm-conductor-" + config.nodeId()));
        this.leadership = new Leadership(lease, config.nodeId(), config.leaseTtl());
        this.meters = NodeMeters.forNode(config.nodeId());
        PrometheusMeterRegistry registry = meters.registry();
        Timer relayLag = Timer.builder("kickoff_lsm_outbox_relay_lag")
                .description("from a stage update's commit to the bus's acknowledgement of it (time in the outbox)")
                .serviceLevelObjectives(RELAY_LAG_BUCKETS).register(registry);
        Counter committed = Counter.builder("kickoff_lsm_stage_updates")
                .description("stage updates committed (transitions and schedule changes, manual or scheduled)").register(registry);
        // A commit with a stage update wakes the relay at once instead of at the next tick.
        this.events = new LiveEvents(store, clock, () -> {
            committed.increment();
            wake();
        });
        this.scheduler = new StageScheduler(store, events, leadership, clock, timeout);
        this.relayPublisher = bus.fencedPublisher(config.relayGroup());
        this.relay = new OutboxRelay(store, relayPublisher, leadership, timeout, () -> wake(), beforePublish, batch -> {
            Instant now = clock.instant();
            for (OutboxEntry entry : batch) {
                relayLag.record(Duration.between(entry.enqueuedAt(), now).isNegative()
                        ? Duration.ZERO : Duration.between(entry.enqueuedAt(), now));
            }
        });
        // Short: /readyz must say "store down" at once, not after the store's command timeout.
        this.storeHealth = new StoreHealth(store, Duration.ofSeconds(1));
        DeliveryBoard board = new DeliveryBoard(clock);
        this.deliveryReports = bus.subscribe(Topic.DELIVERY, StartFrom.NOW, board::onRecord);
        // Compacted: from the beginning, the latest bundle version of every (event, segment).
        this.bundleVersions = bus.subscribe(Topic.BUNDLES, StartFrom.BEGINNING, board::onBundleRecord);
        this.audienceFeed = config.audience() ? Optional.of(BusAudienceView.subscribe(bus, clock)) : Optional.empty();
        AudienceView audience = audienceFeed.<AudienceView>map(v -> v).orElseGet(UnavailableAudienceView::new);
        Optional<AudienceMetrics> audienceMetrics = audienceFeed.map(v -> new AudienceMetrics(v, registry));
        Gauge.builder("kickoff_lsm_leader", () -> leadership.isLeader() ? 1 : 0)
                .description("1 while this instance leads (fires timers, relays the outbox)").register(registry);
        FunctionCounter.builder("kickoff_lsm_outbox_published", relay, OutboxRelay::published)
                .description("stage updates relayed from the outbox to the bus").register(registry);
        FunctionCounter.builder("kickoff_lsm_outbox_relay_failures", relay, OutboxRelay::failures)
                .description("outbox relay rounds that failed (store or bus) and backed off").register(registry);
        Gauge.builder("kickoff_lsm_bus_reachable", () -> bus.isAvailable() && relay.busReachable() ? 1 : 0)
                .description("1 while the bus answers (and, on the leader, the last claim or publish succeeded)").register(registry);
        Gauge.builder("kickoff_lsm_delivery_reporting_nodes", board::nodeCount)
                .description("gateway nodes whose delivery reports this instance heard within the last 10 minutes").register(registry);
        Gauge.builder("kickoff_lsm_outbox_depth", relay::lastDepth)
                .description("stage updates waiting in the outbox, as of the leader's last round").register(registry);
        Gauge.builder("kickoff_lsm_outbox_oldest_age_seconds", () -> relay.oldestAge(clock).toMillis() / 1000.0)
                .description("age of the oldest stage update waiting in the outbox").register(registry);
        try {
            this.admin = AdminServer.start(config.host(), config.port(),
                    new AdminApi(events, idempotency, board, audience, config.tokens(),
                            new Readiness(storeHealth::isUp, () -> bus.isAvailable() && relay.busReachable()), registry),
                    EdgeLimits.defaults(AdminServer.DEFAULT_MAX_CONNECTIONS), config.browser(), config.tls());
        } catch (InterruptedException | RuntimeException e) {
            meters.close();
            deliveryReports.close();
            bundleVersions.close();
            audienceFeed.ifPresent(BusAudienceView::close);
            relayPublisher.close();
            conductor.shutdownNow();
            throw e;
        }
        conductor.scheduleWithFixedDelay(leadership::renew, 0, leadership.renewEvery().toMillis(), TimeUnit.MILLISECONDS);
        conductor.scheduleWithFixedDelay(this::round, config.tick().toMillis(), config.tick().toMillis(), TimeUnit.MILLISECONDS);
        conductor.scheduleWithFixedDelay(storeHealth::probe, 0, 500, TimeUnit.MILLISECONDS);
        // Events whose audience is forgotten (an hour without a snapshot) leave /metrics even if nothing else arrives.
        audienceMetrics.ifPresent(m -> conductor.scheduleWithFixedDelay(m::refresh, 10, 10, TimeUnit.SECONDS));
        log.info("live state manager {} serving the admin API on port {}", config.nodeId(), admin.port());
    }

    public static LiveStateManager start(Config config, EventStore store, Idempotency idempotency, LeaderLease lease,
                                         EventBus bus, Clock clock)
            throws InterruptedException {
        return new LiveStateManager(config, store, idempotency, lease, bus, clock, OutboxRelay.BeforePublish.NONE);
    }

    /**
     * As {@link #start(Config, EventStore, Idempotency, LeaderLease, EventBus, Clock)}, with a seam between the relay's
     * reading a batch and publishing it: fault tests hold it there. It runs on the thread that also renews the lease,
     * so holding it stalls the instance's leadership as a paused process would.
     */
    public static LiveStateManager start(Config config, EventStore store, Idempotency idempotency, LeaderLease lease,
                                         EventBus bus, Clock clock,
                                         OutboxRelay.BeforePublish beforePublish) throws InterruptedException {
        return new LiveStateManager(config, store, idempotency, lease, bus, clock, beforePublish);
    }

    /** One leader round on the conductor thread: due timers, then the outbox. */
    private void round() {
        try {
            scheduler.tick();
            relayAll();
            relay.refreshStats();
        } catch (RuntimeException e) {
            log.error("leader round failed", e);
        }
    }

    /** Runs the relay now rather than at the next tick: a commit wrote the outbox, or the bus answered. */
    private void wake() {
        try {
            conductor.execute(this::relayAll);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    private void relayAll() {
        try {
            while (relay.tick() == OutboxRelay.BATCH) {
                // a full batch settled: there may be more right behind it
            }
        } catch (RuntimeException e) {
            log.error("outbox relay round failed", e);
        }
    }

    public LiveEvents events() {
        return events;
    }

    public boolean isLeader() {
        return leadership.isLeader();
    }

    /** Completes once this instance leads (at once if it does); fails if it is closed first. */
    public CompletableFuture<Void> whenLeader() {
        return leadership.whenLeader();
    }

    public long relayed() {
        return relay.published();
    }

    public int adminPort() {
        return admin.port();
    }

    /** Stops serving; gives the leader lease up so that another instance takes over at once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        admin.close();
        meters.close();
        deliveryReports.close();
        bundleVersions.close();
        audienceFeed.ifPresent(BusAudienceView::close);
        conductor.shutdownNow();
        leadership.stop();
        try {
            conductor.awaitTermination(5, TimeUnit.SECONDS);
            relayPublisher.close();
            leadership.release().get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("could not release the leader lease: {}", e.toString());
        }
    }

    /** Stops without releasing the lease, as a crash would: for tests of leader fail-over. */
    public void crash() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        conductor.shutdownNow();
        leadership.stop();
        admin.close();
        meters.close();
        deliveryReports.close();
        bundleVersions.close();
        audienceFeed.ifPresent(BusAudienceView::close);
        relayPublisher.close();
    }
}
