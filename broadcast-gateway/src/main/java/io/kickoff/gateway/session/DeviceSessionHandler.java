package io.kickoff.gateway.session;

import io.kickoff.gateway.GatewayConfig;
import io.kickoff.gateway.state.WorldState;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.ErrorCode;
import io.kickoff.protocol.v1.Hello;
import io.kickoff.protocol.v1.Pong;
import io.kickoff.protocol.v1.ReconnectPolicy;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.protocol.v1.Welcome;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device conversation after the handshake: wait for hello (closing the connection if it does
 * not come in time), answer with welcome and whatever the device is behind on, then take acks and
 * pings. A device enters the fan-out registry only once greeted.
 */
public final class DeviceSessionHandler extends SimpleChannelInboundHandler<ClientFrame> {
    private static final Logger log = LoggerFactory.getLogger(DeviceSessionHandler.class);

    private final GatewayConfig config;
    private final WorldState world;
    private final SessionRegistry registry;
    private final Clock clock;
    private final LongAdder acks;
    private ScheduledFuture<?> helloDeadline;

    public DeviceSessionHandler(GatewayConfig config, WorldState world, SessionRegistry registry, Clock clock,
                                LongAdder acks) {
        this.config = config;
        this.world = world;
        this.registry = registry;
        this.clock = clock;
        this.acks = acks;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            DeviceSession session = session(ctx);
            helloDeadline = ctx.executor().schedule(() -> {
                if (!session.greeted()) {
                    SessionErrors.closeWith(ctx, session, ErrorCode.PROTOCOL_VIOLATION, CloseCodes.POLICY_VIOLATION,
                            "no hello within " + config.helloTimeout().toMillis() + " ms");
                }
            }, config.helloTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ClientFrame frame) {
        DeviceSession session = session(ctx);
        switch (frame.getFrameCase()) {
            case HELLO -> hello(ctx, session, frame.getHello());
            case ACK -> {
                if (requireGreeted(ctx, session, "ack")) {
                    acks.increment();
                }
            }
            case PING -> ctx.writeAndFlush(ServerFrame.newBuilder().setPong(Pong.newBuilder()
                    .setNonce(frame.getPing().getNonce()).setServerTime(Timestamps.of(clock.instant()))).build());
            case FRAME_NOT_SET -> throw new IllegalStateException("decoder lets no empty frame through");
        }
    }

    private void hello(ChannelHandlerContext ctx, DeviceSession session, Hello hello) {
        if (session.greeted()) {
            SessionErrors.closeWith(ctx, session, ErrorCode.PROTOCOL_VIOLATION, CloseCodes.POLICY_VIOLATION,
                    "hello may be sent once per connection");
            return;
        }
        session.markGreeted();
        if (helloDeadline != null) {
            helloDeadline.cancel(false);
        }
        for (Map.Entry<String, Long> position : hello.getPositionsMap().entrySet()) {
            session.advance(position.getKey(), position.getValue());
        }
        // Registering and reading the world happen in this one event-loop task, so an update is
        // either in the snapshot or in a fan-out task that runs after this one: never lost.
        registry.add(session);
        Welcome.Builder welcome = Welcome.newBuilder()
                .setServerTime(Timestamps.of(clock.instant()))
                .setHeartbeatIntervalMs((int) config.heartbeatInterval().toMillis())
                .setReconnect(ReconnectPolicy.newBuilder()
                        .setBaseDelayMs((int) config.reconnectBase().toMillis())
                        .setMaxDelayMs((int) config.reconnectMax().toMillis()))
                .setNodeId(config.nodeId())
                .setSessionId(ctx.channel().id().asShortText());
        for (StageUpdate update : world.all()) {
            if (isBehind(session, update)) {
                session.advance(update.getEventId(), update.getSeq());
                welcome.addSnapshot(update);
            }
        }
        ctx.writeAndFlush(ServerFrame.newBuilder().setWelcome(welcome).build());
        log.debug("device {} ({}) greeted with {} updates", session.deviceId(), session.segment(), welcome.getSnapshotCount());
    }

    /**
     * The device needs this update if it is in the audience and behind on it; an event it never
     * heard of matters only while active (nobody needs to learn that an unknown event ended).
     */
    private static boolean isBehind(DeviceSession session, StageUpdate update) {
        if (!WorldState.isAudience(update, session.segment())) {
            return false;
        }
        long position = session.position(update.getEventId());
        return position == 0 ? WorldState.isActive(update) : update.getSeq() > position;
    }

    private static boolean requireGreeted(ChannelHandlerContext ctx, DeviceSession session, String what) {
        if (!session.greeted()) {
            SessionErrors.closeWith(ctx, session, ErrorCode.PROTOCOL_VIOLATION, CloseCodes.POLICY_VIOLATION,
                    what + " before hello");
            return false;
        }
        return true;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        DeviceSession session = ctx.channel().attr(DeviceSession.KEY).get();
        if (session != null) {
            registry.remove(session);
        }
        if (helloDeadline != null) {
            helloDeadline.cancel(false);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("device connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private static DeviceSession session(ChannelHandlerContext ctx) {
        return ctx.channel().attr(DeviceSession.KEY).get();
    }
}
