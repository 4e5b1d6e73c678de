package io.kickoff.gateway.session;

import io.kickoff.gateway.fanout.FanOut;
import io.kickoff.protocol.v1.ServerFrame;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/** Encodes frames meant for one device (welcome, errors, pongs) in the session's wire format. */
@ChannelHandler.Sharable
public final class ServerFrameEncoder extends MessageToMessageEncoder<ServerFrame> {

    @Override
    protected void encode(ChannelHandlerContext ctx, ServerFrame frame, List<Object> out) {
        DeviceSession session = ctx.channel().attr(DeviceSession.KEY).get();
        out.add(FanOut.encode(session.format(), frame));
    }
}
