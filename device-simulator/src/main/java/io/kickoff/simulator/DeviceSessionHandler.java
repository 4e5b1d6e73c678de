package io.kickoff.simulator;

import io.kickoff.protocol.v1.ServerFrame;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;

/**
 * Hands one connection's events to its {@link SimulatedDevice}, stamping each server frame with its
 * arrival time, and flushes what the device wrote (acks) once per read burst.
 */
final class DeviceSessionHandler extends SimpleChannelInboundHandler<ServerFrame> {
    private final SimulatedDevice device;
    private final DeviceConnection connection;

    DeviceSessionHandler(SimulatedDevice device, DeviceConnection connection) {
        this.device = device;
        this.connection = connection;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ServerFrame frame) {
        long receivedNanoTime = System.nanoTime();
        device.onServerFrame(connection, ctx, frame, Clocks.epochMicrosNow(), receivedNanoTime);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            device.onHandshakeComplete(connection, ctx);
        } else if (event == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            recordFailure(new WebSocketClientHandshakeException("WebSocket handshake timed out"));
        } else if (event instanceof WireFrameCodec.UndecodableServerFrame undecodable) {
            device.onUndecodableFrame(undecodable.reason());
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        recordFailure(cause);
        ctx.close();
    }

    private void recordFailure(Throwable cause) {
        if (connection.failure == null) {
            connection.failure = cause;
        }
    }
}
