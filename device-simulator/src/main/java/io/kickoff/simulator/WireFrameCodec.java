package io.kickoff.simulator;

import io.kickoff.protocol.MalformedFrameException;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.v1.ClientFrame;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.List;

/**
 * Translates between WebSocket data frames and protocol messages in the negotiated wire format:
 * {@link io.kickoff.protocol.v1.ServerFrame}s up, {@link ClientFrame}s down.
 */
final class WireFrameCodec extends MessageToMessageCodec<WebSocketFrame, ClientFrame> {

    /** Fired instead of a message when a server frame cannot be decoded; the connection carries on. */
    record UndecodableServerFrame(String reason) {
    }

    private final WireFormat format;

    WireFrameCodec(WireFormat format) {
        this.format = format;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ClientFrame frame, List<Object> out) {
        byte[] bytes = format.encode(frame);
        out.add(format.isText()
                ? new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes))
                : new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
        if (!(frame instanceof TextWebSocketFrame) && !(frame instanceof BinaryWebSocketFrame)) {
            return; // control frames are the protocol handler's business
        }
        try {
            out.add(format.decodeServerFrame(ByteBufUtil.getBytes(frame.content())));
        } catch (MalformedFrameException e) {
            ctx.fireUserEventTriggered(new UndecodableServerFrame(e.getMessage()));
        }
    }
}
