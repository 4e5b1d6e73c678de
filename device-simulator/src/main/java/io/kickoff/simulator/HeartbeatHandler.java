package io.kickoff.simulator;

import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.Ping;
import io.kickoff.protocol.v1.ServerFrame;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a session alive and notices when it is dead, as a real device does: once the welcome names
 * a heartbeat interval, pings at that interval (first one at a random point within it, so a fleet
 * that connected together does not ping together), and closes the connection if the gateway has
 * sent nothing for {@value #MISSED_INTERVALS_BEFORE_DEAD} intervals, which makes the device reconnect.
 */
final class HeartbeatHandler extends ChannelInboundHandlerAdapter {
    static final int MISSED_INTERVALS_BEFORE_DEAD = 3;

    private long lastReadNanos = System.nanoTime();
    private long intervalNanos;
    private long nextNonce;
    private ScheduledFuture<?> pings;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastReadNanos = System.nanoTime();
        if (pings == null && msg instanceof ServerFrame frame && frame.hasWelcome()) {
            startPinging(ctx, frame.getWelcome().getHeartbeatIntervalMs());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stopPinging();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stopPinging();
    }

    private void startPinging(ChannelHandlerContext ctx, int intervalMillis) {
        if (intervalMillis <= 0) {
            return;
        }
        intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        long firstDelay = ThreadLocalRandom.current().nextLong(intervalNanos) + 1;
        pings = ctx.executor().scheduleAtFixedRate(() -> tick(ctx), firstDelay, intervalNanos, TimeUnit.NANOSECONDS);
    }

    private void tick(ChannelHandlerContext ctx) {
        if (System.nanoTime() - lastReadNanos > MISSED_INTERVALS_BEFORE_DEAD * intervalNanos) {
            stopPinging();
            ctx.close();
            return;
        }
        ctx.writeAndFlush(ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(++nextNonce)).build());
    }

    private void stopPinging() {
        if (pings != null) {
            pings.cancel(false);
        }
    }
}
