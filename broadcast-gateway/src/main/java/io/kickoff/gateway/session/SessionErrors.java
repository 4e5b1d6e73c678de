package io.kickoff.gateway.session;

import io.kickoff.protocol.v1.Error;
import io.kickoff.protocol.v1.ErrorCode;
import io.kickoff.protocol.v1.ServerFrame;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one way a session ends on bad input: an error frame saying why, then a close frame with the code. */
final class SessionErrors {
    private static final Logger log = LoggerFactory.getLogger(SessionErrors.class);

    private SessionErrors() {
    }

    static void closeWith(ChannelHandlerContext ctx, DeviceSession session, ErrorCode code,
                          WebSocketCloseStatus status, String why) {
        log.debug("closing device {} with {}: {}", session.deviceId(), status.code(), why);
        ServerFrame error = ServerFrame.newBuilder()
                .setError(Error.newBuilder().setCode(code).setMessage(why)).build();
        ctx.channel().write(error);
        // Close reasons are capped at 123 bytes by the protocol.
        String reason = why.length() > 120 ? why.substring(0, 120) : why;
        ctx.channel().writeAndFlush(new CloseWebSocketFrame(status.code(), reason))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
