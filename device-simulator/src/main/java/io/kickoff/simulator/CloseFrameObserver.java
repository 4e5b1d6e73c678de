package io.kickoff.simulator;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;

/**
 * Notes the code of the gateway's close frame on the connection, so the device can count how its
 * sessions ended (4001, 1007, 1008, ...), then completes the closing handshake: echoes the code and
 * closes the connection.
 */
final class CloseFrameObserver extends ChannelInboundHandlerAdapter {
    /** RFC 6455: a close frame without a status code. */
    static final int NO_STATUS = 1005;
    /** RFC 6455: the connection ended without a close frame read. */
    static final int ABNORMAL = 1006;

    private final DeviceConnection connection;

    CloseFrameObserver(DeviceConnection connection) {
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof CloseWebSocketFrame close)) {
            ctx.fireChannelRead(msg);
            return;
        }
        int code = close.statusCode();
        close.release();
        if (connection.closeCode == 0) {
            connection.closeCode = code < 0 ? NO_STATUS : code;
        }
        ctx.writeAndFlush(new CloseWebSocketFrame(code < 0 ? 1000 : code, null)).addListener(ChannelFutureListener.CLOSE);
    }
}
