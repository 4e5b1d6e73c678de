package io.kickoff.gateway;

import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.v1.ServerFrame;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.List;

/**
 * Encodes frames meant for one device (welcome, errors, pongs) in the session's wire format. What
 * many devices receive alike goes out pre-encoded instead ({@code WireFrames}).
 */
@ChannelHandler.Sharable
final class ServerFrameEncoder extends MessageToMessageEncoder<ServerFrame> {

    @Override
    protected void encode(ChannelHandlerContext ctx, ServerFrame frame, List<Object> out) {
        DeviceSession session = ctx.channel().attr(DeviceSession.KEY).get();
        out.add(encode(session.format(), frame));
    }

    static WebSocketFrame encode(WireFormat format, ServerFrame frame) {
        byte[] bytes = format.encode(frame);
        return format.isText()
                ? new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes))
                : new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes));
    }
}
