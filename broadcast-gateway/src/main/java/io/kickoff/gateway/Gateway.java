package io.kickoff.gateway;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kickoff.bus.BusRecord;
import io.kickoff.bus.EventBus;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Subscription;
import io.kickoff.bus.Topic;
import io.kickoff.http.ServerTls;
import io.kickoff.http.Transport;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.StageUpdate;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broadcast gateway node: reads every stage update from the bus (from the beginning, so it
 * knows the state of the world before it is ready) and fans each new one out to its devices.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    /** How often each event loop tends its devices (redelivery, pings, idle and slow-consumer checks). */
    static final long UPKEEP_INTERVAL_MILLIS = 100;
    /**
     * How long a device told to go away (drain, lifetime) may keep its connection while it
     * reconnects elsewhere: a drain is over at the latest after its window and this grace.
     */
    public static final Duration GO_AWAY_GRACE = Drain.GO_AWAY_GRACE;

    private final GatewayConfig config;
    private final Transport transport;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup ioGroup;
    private final WorldState world = new WorldState();
    private final SessionRegistry registry = new SessionRegistry();
    private final GatewayMetrics metrics;
    private final DeliveryStats stats;
    private final BundleDelivery bundles;
    private final FanOut fanOut;
    private final SessionServices services;
    private final AdmissionControl admission;
    private final Channel serverChannel;
    /** The certificate of wss://, when the config has one. */
    private final Optional<ServerTls> tls;
    private final List<ScheduledFuture<?>> upkeep = new ArrayList<>();
    private final Subscription stages;
    private final Subscription bundleRecords;
    private final DeliveryReporter reporter;
    private final ViewingPublisher viewing;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean ready;
    private final CompletableFuture<Void> firstReady = new CompletableFuture<>();

    private Gateway(GatewayConfig config, DeviceTokens tokens, EventBus bus, Clock clock) throws InterruptedException {
        this.config = config;
        this.transport = Transport.best();
        this.metrics = new GatewayMetrics(config.nodeId());
        this.stats = new DeliveryStats(config.nodeId(), clock, registry::size, metrics);
        this.bundles = new BundleDelivery(config, registry, metrics, clock);
        this.fanOut = new FanOut(registry, metrics, stats, bundles);
        this.viewing = new ViewingPublisher(bus, config.viewing(), config.nodeId());
        this.services = new SessionServices(config, world, registry, clock, metrics, stats, bundles, new Farewells(metrics),
                draining::get, viewing);
        this.admission = new AdmissionControl(config, metrics);
        metrics.gauge("kickoff_gateway_connections", "greeted device connections", registry::size);
        metrics.gauge("kickoff_gateway_events_known", "events in the state of the world", world::size);
        metrics.counter("kickoff_gateway_viewing_published", "viewing signals of devices published on kickoff.viewing",
                viewing, ViewingPublisher::published);
        metrics.counter("kickoff_gateway_viewing_dropped",
                "viewing signals dropped because the bus did not take them fast enough (oldest heartbeats first)",
                viewing, ViewingPublisher::dropped);
        metrics.gauge("kickoff_gateway_viewing_queued", "viewing signals waiting to be published", viewing::queued);
        metrics.gauge("kickoff_gateway_bus_available", "1 while this node's bus answers (0: no update reaches its devices)",
                () -> bus.isAvailable() ? 1 : 0);
        this.bossGroup = transport.newGroup(1);
        this.ioGroup = transport.newGroup(config.eventLoops());
        Subscription stageRecords = null;
        Optional<ServerTls> serverTls = Optional.empty();
        try {
            serverTls = config.tls().map(ServerTls::start);
            // Readiness also says whether the bus can deliver: during a Kafka outage no update reaches any device.
            HttpEndpoints endpoints = new HttpEndpoints(() -> ready && bus.isAvailable(), metrics, config.opsToken(), this::drain);
            this.serverChannel = new ServerBootstrap()
                    .group(bossGroup, ioGroup)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 8192)
                    // A replacement node rebinds the port at once in a rolling restart, even with the
                    // old node's connections still in TIME_WAIT.
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                            new WriteBufferWaterMark(config.writeBufferLow(), config.writeBufferHigh()))
                    .childHandler(new GatewayInitializer(services, tokens, () -> ready, admission, endpoints, serverTls))
                    .bind(config.host(), config.port()).sync().channel();
            for (EventExecutor executor : ioGroup) {
                EventLoop loop = (EventLoop) executor;
                upkeep.add(loop.scheduleAtFixedRate(new SessionUpkeep(services, loop),
                        UPKEEP_INTERVAL_MILLIS, UPKEEP_INTERVAL_MILLIS, TimeUnit.MILLISECONDS));
            }
            stageRecords = bus.subscribe(Topic.STAGES, StartFrom.BEGINNING, this::onStageRecord);
            this.bundleRecords = bus.subscribe(Topic.BUNDLES, StartFrom.BEGINNING, bundles::onBundleRecord);
        } catch (InterruptedException | RuntimeException e) {
            if (stageRecords != null) {
                stageRecords.close();
            }
            serverTls.ifPresent(ServerTls::close);
            shutdownGroups();
            viewing.close();
            metrics.close();
            throw e;
        }
        this.tls = serverTls;
        this.stages = stageRecords;
        this.reporter = DeliveryReporter.start(stats, bus, config.deliveryReportInterval());
        viewing.start();
        // Warmed while the state of the world is read: the first real broadcast runs compiled code.
        CompletableFuture<String> warmed = warmUp(config);
        stages.caughtUp().thenCombine(warmed, (caughtUp, warmUp) -> warmUp).thenAccept(warmUp -> {
            if (closed.get()) {
                return;
            }
            ready = true;
            firstReady.complete(null);
            log.info("gateway {} ready on {} ({}): {} events known, at most {} connections{}", config.nodeId(),
                    serverChannel.localAddress(), transport.name(), world.size(), admission.maxConnections(), warmUp);
        });
    }

    /** Starts a node; it listens at once and answers 503 to devices until it has read the state of the world. */
    public static Gateway start(GatewayConfig config, DeviceTokens tokens, EventBus bus, Clock clock)
            throws InterruptedException {
        return new Gateway(config, tokens, bus, clock);
    }

    /** Completes with a note for the ready line, also when the warm-up could not run: the node serves anyway. */
    private static CompletableFuture<String> warmUp(GatewayConfig config) {
        if (config.warmUp().isOff()) {
            return CompletableFuture.completedFuture("");
        }
        return LoopbackWarmUp.start(config).handle((report, failure) -> {
            if (failure != null) {
                log.warn("gateway {}: warm-up failed, serving without it (first broadcasts will be slower): {}",
                        config.nodeId(), failure.toString());
                return "; not warmed up";
            }
            return "; warmed up in " + report.millis() + " ms (" + report.devices() + " loopback devices connected in "
                    + report.connectMillis() + " ms, " + report.rounds() + " broadcasts and " + report.updatesAcked()
                    + " acks in " + report.roundsMillis() + " ms, "
                    + report.ending().text + ")";
        });
    }

    private void onStageRecord(BusRecord record) {
        StageUpdate update;
        try {
            update = StageUpdate.parseFrom(record.value());
        } catch (InvalidProtocolBufferException | NullPointerException e) {
            log.warn("skipping unreadable stage record key={} offset={}", record.key(), record.offset());
            return;
        }
        if (world.apply(update)) {
            bundles.stageChanged(update);
            fanOut.broadcast(update);
        }
    }

    /**
     * Empties this node without a herd and without leaving devices offline: refuses new devices
     * (503 with a jittered Retry-After, {@code /readyz} 503) and gives every connected device its own
     * moment to leave, spread evenly over the drain window; until then the device is served as
     * usual. At its moment it gets {@code go_away} and reconnects elsewhere (see {@link Drain}).
     * Completes when no device is left, or when the window and the go-away grace have passed.
     * Idempotent.
     */
    public CompletableFuture<Void> drain() {
        if (!draining.compareAndSet(false, true)) {
            return drained;
        }
        ready = false;
        admission.startDraining();
        Drain drain = new Drain(config.drainWindow(), System.nanoTime());
        log.info("gateway {} draining {} devices over {} ms", config.nodeId(), registry.size(),
                config.drainWindow().toMillis());
        for (SessionRegistry.LoopSessions group : registry.loops()) {
            // On the loop that owns the sessions; a device greeted after this sees the draining flag.
            group.loop().execute(() -> drain.schedule(group.sessions(), System.nanoTime(), ThreadLocalRandom.current()));
        }
        ScheduledFuture<?>[] watcher = new ScheduledFuture<?>[1];
        watcher[0] = bossGroup.next().scheduleAtFixedRate(() -> {
            if (drain.over(registry.size(), System.nanoTime())) {
                log.info("gateway {} drained ({} devices left)", config.nodeId(), registry.size());
                drained.complete(null);
                watcher[0].cancel(false);
            }
        }, 50, 50, TimeUnit.MILLISECONDS);
        return drained;
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public boolean isReady() {
        return ready;
    }

    /**
     * Completes the first time the node accepts devices (state of the world read, warm); fails if it
     * closes first. A copy: cancelling it does not touch the node.
     */
    public CompletableFuture<Void> whenReady() {
        return firstReady.copy();
    }

    public int connectedDevices() {
        return registry.size();
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public GatewayConfig config() {
        return config;
    }

    /** Stops at once (see {@link #drain()} for a gentle stop). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ready = false;
        firstReady.completeExceptionally(new IllegalStateException("gateway " + config.nodeId() + " closed before it was ready"));
        reporter.close();
        stages.close();
        bundleRecords.close();
        upkeep.forEach(f -> f.cancel(false));
        serverChannel.close().syncUninterruptibly();
        tls.ifPresent(ServerTls::close);
        shutdownGroups();
        // After the event loops: no signal is queued any more; the last interval's batch is published first.
        viewing.flush();
        viewing.close();
        bundles.close();
        metrics.close();
        log.info("gateway {} stopped", config.nodeId());
    }

    private void shutdownGroups() {
        // Channels are closed by now: no quiet period to wait for.
        var boss = bossGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        var io = ioGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        boss.syncUninterruptibly();
        io.syncUninterruptibly();
    }
}
