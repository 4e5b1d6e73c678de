package io.kickoff.gateway;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Notes when anything at all was last read from a device (data, ping or pong) and when its
 * connection's writability changes. Sits first in the pipeline; the idle and slow-consumer
 * checks in {@link SessionUpkeep} read what it notes, so no connection needs a timer of its own.
 */
@ChannelHandler.Sharable
final class ActivityClock extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DeviceSession session = ctx.channel().attr(DeviceSession.KEY).get();
        if (session != null) {
            session.readAt(System.nanoTime());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        DeviceSession session = ctx.channel().attr(DeviceSession.KEY).get();
        if (session != null) {
            session.writability(ctx.channel().isWritable(), System.nanoTime());
        }
        ctx.fireChannelWritabilityChanged();
    }
}
