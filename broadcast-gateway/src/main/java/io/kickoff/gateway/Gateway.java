package io.kickoff.gateway;

import com.google.protobuf.InvalidProtocolBufferException;
import io.kickoff.bus.BusRecord;
import io.kickoff.bus.EventBus;
import io.kickoff.bus.StartFrom;
import io.kickoff.bus.Subscription;
import io.kickoff.bus.Topic;
import io.kickoff.gateway.fanout.FanOut;
import io.kickoff.gateway.session.SessionRegistry;
import io.kickoff.gateway.state.WorldState;
import io.kickoff.gateway.transport.Transport;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.v1.StageUpdate;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broadcast gateway node: reads every stage update from the bus (from the beginning, so it
 * knows the state of the world before it is ready) and fans each new one out to its devices.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final EventBus bus;
    private final Transport transport;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup ioGroup;
    private final WorldState world = new WorldState();
    private final SessionRegistry registry = new SessionRegistry();
    private final FanOut fanOut = new FanOut(registry);
    private final LongAdder acks = new LongAdder();
    private final Channel serverChannel;
    private final Subscription stages;
    private volatile boolean ready;

    private Gateway(GatewayConfig config, DeviceTokens tokens, EventBus bus, Clock clock) throws InterruptedException {
        this.config = config;
        this.bus = bus;
        this.transport = Transport.best();
        this.bossGroup = transport.newGroup(1);
        this.ioGroup = transport.newGroup(config.ioThreads());
        try {
            this.serverChannel = new ServerBootstrap()
                    .group(bossGroup, ioGroup)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new GatewayInitializer(config, tokens, world, registry, clock, acks, () -> ready))
                    .bind(config.host(), config.port()).sync().channel();
            this.stages = bus.subscribe(Topic.STAGES, StartFrom.BEGINNING, this::onStageRecord);
        } catch (InterruptedException | RuntimeException e) {
            shutdownGroups();
            throw e;
        }
        stages.caughtUp().thenRun(() -> {
            ready = true;
            log.info("gateway {} ready on {} ({}): {} events known", config.nodeId(), serverChannel.localAddress(),
                    transport.name(), world.size());
        });
    }

    /** Starts a node; it listens at once and answers 503 to devices until it has read the state of the world. */
    public static Gateway start(GatewayConfig config, DeviceTokens tokens, EventBus bus, Clock clock)
            throws InterruptedException {
        return new Gateway(config, tokens, bus, clock);
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
            fanOut.broadcast(update);
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public boolean isReady() {
        return ready;
    }

    public int connectedDevices() {
        return registry.size();
    }

    public long acksReceived() {
        return acks.sum();
    }

    public GatewayConfig config() {
        return config;
    }

    @Override
    public void close() {
        ready = false;
        stages.close();
        serverChannel.close().syncUninterruptibly();
        shutdownGroups();
        log.info("gateway {} stopped", config.nodeId());
    }

    private void shutdownGroups() {
        // Channels are closed by now: no quiet period to wait for.
        var boss = bossGroup.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS);
        var io = ioGroup.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS);
        boss.syncUninterruptibly();
        io.syncUninterruptibly();
    }
}
