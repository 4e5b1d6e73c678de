package io.kickoff.gateway;

import io.kickoff.protocol.Stages;
import io.kickoff.protocol.Timestamps;
import io.kickoff.protocol.v1.Ack;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.ErrorCode;
import io.kickoff.protocol.v1.Hello;
import io.kickoff.protocol.v1.PlaybackState;
import io.kickoff.protocol.v1.Pong;
import io.kickoff.protocol.v1.ReconnectPolicy;
import io.kickoff.protocol.v1.ServerFrame;
import io.kickoff.protocol.v1.StageUpdate;
import io.kickoff.protocol.v1.Viewing;
import io.kickoff.protocol.v1.Welcome;
import io.netty.channel.ChannelId;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device conversation after the handshake: wait for hello (closing the connection if it does
 * not come in time), answer with welcome and whatever the device is behind on, then take acks,
 * pings and viewing signals. A device enters the fan-out registry only once greeted; a newer connection of the same
 * device sends the older one away.
 */
final class DeviceSessionHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger log = LoggerFactory.getLogger(DeviceSessionHandler.class);

    /** Most updates carried in one welcome frame, so it stays far below any client's frame limit. */
    static final int MAX_SNAPSHOT = 64;

    private final SessionServices services;
    private final GatewayConfig config;
    private final ClientFrameDecoder decoder;
    private ScheduledFuture<?> helloDeadline;

    /** @param decoder turns the device's data frames into {@link ClientFrame}s (shared by the node's connections) */
    public DeviceSessionHandler(SessionServices services, ClientFrameDecoder decoder) {
        this.services = services;
        this.config = services.config();
        this.decoder = decoder;
    }

    /** Data frames only: control frames are the WebSocket layer's. */
    @Override
    public boolean acceptInboundMessage(Object msg) {
        return ClientFrameDecoder.isDataFrame(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            DeviceSession session = session(ctx);
            session.readAt(System.nanoTime());
            helloDeadline = ctx.executor().schedule(() -> {
                if (!session.greeted()) {
                    services.farewells().error(session, ErrorCode.PROTOCOL_VIOLATION, CloseCodes.POLICY_VIOLATION,
                            "no hello within " + config.helloTimeout().toMillis() + " ms", "no_hello");
                }
            }, config.helloTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame data) {
        DeviceSession session = session(ctx);
        ClientFrame frame = decoder.decode(session, data);
        if (frame == null) {
            return;
        }
        switch (frame.getFrameCase()) {
            case HELLO -> hello(ctx, session, frame.getHello());
            case ACK -> {
                if (requireGreeted(session, "ack")) {
                    ack(session, frame.getAck());
                }
            }
            case PING -> ctx.writeAndFlush(ServerFrame.newBuilder().setPong(Pong.newBuilder()
                    .setNonce(frame.getPing().getNonce()).setServerTime(Timestamps.of(services.clock().instant()))).build());
            case VIEWING -> {
                if (requireGreeted(session, "viewing")) {
                    viewing(session, frame.getViewing());
                }
            }
            case FRAME_NOT_SET -> throw new IllegalStateException("the decoder lets no empty frame through");
        }
    }

    private void hello(ChannelHandlerContext ctx, DeviceSession session, Hello hello) {
        if (session.greeted()) {
            services.farewells().error(session, ErrorCode.PROTOCOL_VIOLATION, CloseCodes.POLICY_VIOLATION,
                    "hello may be sent once per connection", "protocol");
            return;
        }
        session.markGreeted();
        cancelHelloDeadline();
        if (services.draining().getAsBoolean()) {
            // Upgraded just before the drain began (no device is admitted after): it has nothing to
            // lose here yet, so it goes on to another node at once instead of joining the schedule.
            services.farewells().goAway(session, 0, "drain");
            return;
        }
        for (Map.Entry<String, Long> position : hello.getPositionsMap().entrySet()) {
            session.reported(position.getKey(), position.getValue());
            // A device this node sent the update to before its connection ended has it: the ack it could not send.
            services.stats().reported(position.getKey(), position.getValue(), session.deviceId());
        }
        long now = System.nanoTime();
        session.pingedAt(now);
        session.moveAt(now + lifetimeNanos());
        // Registering and reading the world happen in this one event-loop task, so an update is
        // either in the snapshot or in a fan-out task that runs after this one: never lost.
        services.registry().add(session).ifPresent(older -> older.channel().eventLoop().execute(() ->
                services.farewells().goAway(older, 0, "replaced")));
        Welcome.Builder welcome = Welcome.newBuilder()
                .setServerTime(Timestamps.of(services.clock().instant()))
                .setHeartbeatIntervalMs((int) config.heartbeatInterval().toMillis())
                .setReconnect(ReconnectPolicy.newBuilder()
                        .setBaseDelayMs((int) config.reconnectBase().toMillis())
                        .setMaxDelayMs((int) config.reconnectMax().toMillis()))
                .setNodeId(config.nodeId())
                .setSessionId(sessionId(ctx.channel().id()))
                .setViewingHeartbeatIntervalMs((int) config.viewing().heartbeatInterval().toMillis());
        for (StageUpdate update : services.world().all()) {
            // A bounded welcome: what does not fit is owed, and the next upkeep round sends it.
            if (welcome.getSnapshotCount() >= MAX_SNAPSHOT) {
                break;
            }
            if (isBehind(session, update) && session.sending(update.getEventId(), update.getSeq(), now)) {
                welcome.addSnapshot(StageFrames.stamped(update,
                        services.bundles().version(update.getEventId(), session.segment())));
                services.stats().written(update, session.deviceId());
            }
        }
        ctx.writeAndFlush(ServerFrame.newBuilder().setWelcome(welcome).build());
        services.metrics().connected();
        services.bundles().welcomed(session, hello.getBundleVersionsMap());
        log.debug("device {} ({}) greeted with {} updates", session.deviceId(), session.segment(), welcome.getSnapshotCount());
    }

    // Dropped once cancelled: a greeted device must not hold its spent timer (and what it captured).
    private void cancelHelloDeadline() {
        if (helloDeadline != null) {
            helloDeadline.cancel(false);
            helloDeadline = null;
        }
    }

    /**
     * The connection's id for logs and support: 8 hex digits of the channel id's (random) hash.
     * Not {@code ChannelId.asShortText()}, which keeps its text on the id for the life of the connection.
     */
    static String sessionId(ChannelId id) {
        return String.format("%08x", id.hashCode());
    }

    private long lifetimeNanos() {
        long dither = config.lifetimeDither().toNanos();
        return config.maxLifetime().toNanos() - (dither == 0 ? 0 : ThreadLocalRandom.current().nextLong(dither));
    }

    private void ack(DeviceSession session, Ack ack) {
        services.metrics().acked();
        if (!session.acked(ack.getEventId(), ack.getSeq())) {
            return;
        }
        Instant now = services.clock().instant();
        services.stats().acked(ack.getEventId(), ack.getSeq(), session.deviceId(),
                now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000);
    }

    /**
     * A viewing signal, checked (a known state, an event id that is not blank: otherwise 1007, like any frame
     * that does not say what it must) and queued for the bus with what the token says of the device and the
     * node's receive time; whatever the device put in those fields is replaced.
     */
    private void viewing(DeviceSession session, Viewing viewing) {
        PlaybackState state = viewing.getState();
        if (state != PlaybackState.PLAYING && state != PlaybackState.PAUSED && state != PlaybackState.STOPPED) {
            services.farewells().error(session, ErrorCode.MALFORMED_FRAME, CloseCodes.INVALID_PAYLOAD,
                    "viewing state must be PLAYING, PAUSED or STOPPED", "bad_frame");
            return;
        }
        if (viewing.getEventId().isBlank()) {
            services.farewells().error(session, ErrorCode.MALFORMED_FRAME, CloseCodes.INVALID_PAYLOAD,
                    "viewing needs an event_id", "bad_frame");
            return;
        }
        services.viewing().offer(viewing.toBuilder()
                .setDeviceId(session.deviceId())
                .setSegment(session.segment())
                .setAccount(session.account())
                .setAt(Timestamps.of(services.clock().instant()))
                .build());
    }

    /**
     * The device needs this update if it is in the audience and behind on it; an event it never
     * heard of matters only while active (nobody needs to learn that an unknown event ended).
     */
    static boolean isBehind(DeviceSession session, StageUpdate update) {
        if (!Stages.inAudience(update, session.segment())) {
            return false;
        }
        long position = session.position(update.getEventId());
        return position == 0 ? !Stages.isFinal(update.getStage()) : update.getSeq() > position;
    }

    private boolean requireGreeted(DeviceSession session, String what) {
        if (!session.greeted()) {
            services.farewells().error(session, ErrorCode.PROTOCOL_VIOLATION, CloseCodes.POLICY_VIOLATION,
                    what + " before hello", "protocol");
            return false;
        }
        return true;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        DeviceSession session = ctx.channel().attr(DeviceSession.KEY).get();
        if (session != null) {
            services.registry().remove(session);
        }
        cancelHelloDeadline();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        DeviceSession session = ctx.channel().attr(DeviceSession.KEY).get();
        if (session != null && cause instanceof CorruptedWebSocketFrameException bad) {
            String why = bad.getMessage() == null ? bad.closeStatus().reasonText() : bad.getMessage();
            if (bad.closeStatus().code() == CloseCodes.TOO_BIG.code()) {
                // Over the size cap: the device can fix that, so the error frame says so (docs/protocol.md §7).
                services.farewells().error(session, ErrorCode.FRAME_TOO_LARGE, bad.closeStatus(), why, "too_big");
            } else {
                // Broken framing (1002) or invalid UTF-8 (1007): the close code the decoder chose, no error frame.
                services.farewells().framingViolation(session, bad.closeStatus(), why);
            }
            return;
        }
        if (session != null && cause instanceof TooLongFrameException) {
            services.farewells().error(session, ErrorCode.FRAME_TOO_LARGE, CloseCodes.TOO_BIG,
                    "message over " + config.maxFrameBytes() + " bytes", "too_big");
            return;
        }
        log.debug("device connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private static DeviceSession session(ChannelHandlerContext ctx) {
        return ctx.channel().attr(DeviceSession.KEY).get();
    }

}
