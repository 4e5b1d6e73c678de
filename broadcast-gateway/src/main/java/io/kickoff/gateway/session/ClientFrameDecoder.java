package io.kickoff.gateway.session;

import io.kickoff.protocol.MalformedFrameException;
import io.kickoff.protocol.v1.ClientFrame;
import io.kickoff.protocol.v1.ErrorCode;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.List;

/**
 * Turns data frames into {@link ClientFrame}s in the session's wire format. A frame of the wrong
 * kind closes with 1003, one that does not decode or carries no known frame with 1007, each after
 * an error frame that says why. Control frames (ping, pong, close) are not ours and pass by.
 */
public final class ClientFrameDecoder extends MessageToMessageDecoder<WebSocketFrame> {

    @Override
    public boolean acceptInboundMessage(Object msg) {
        return msg instanceof BinaryWebSocketFrame || msg instanceof TextWebSocketFrame;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
        DeviceSession session = ctx.channel().attr(DeviceSession.KEY).get();
        boolean text = frame instanceof TextWebSocketFrame;
        if (text != session.format().isText()) {
            SessionErrors.closeWith(ctx, session, ErrorCode.PROTOCOL_VIOLATION, CloseCodes.UNSUPPORTED_DATA,
                    (text ? "text" : "binary") + " frames are not part of sub-protocol " + session.format().subprotocol());
            return;
        }
        ClientFrame decoded;
        try {
            decoded = session.format().decodeClientFrame(ByteBufUtil.getBytes(frame.content()));
        } catch (MalformedFrameException e) {
            SessionErrors.closeWith(ctx, session, ErrorCode.MALFORMED_FRAME, CloseCodes.INVALID_PAYLOAD, e.getMessage());
            return;
        }
        if (decoded.getFrameCase() == ClientFrame.FrameCase.FRAME_NOT_SET) {
            SessionErrors.closeWith(ctx, session, ErrorCode.UNKNOWN_FRAME, CloseCodes.INVALID_PAYLOAD,
                    "the frame carries none of hello, ack, ping");
            return;
        }
        out.add(decoded);
    }


}
