package io.kickoff.simulator;

import io.netty.channel.ChannelFuture;

/**
 * The facts of one connection attempt, from dial to close, that decide what the device does next.
 * Touched only on the device's event loop.
 */
final class DeviceConnection {
    final GatewayEndpoint endpoint;
    /** Index of that gateway in the fleet's list. */
    final int gatewaySlot;
    ChannelFuture connectFuture;
    boolean holdsConnectPermit;
    boolean handshaken;
    boolean welcomed;
    /** Why the attempt failed, when something said so (handshake refusal, timeout, I/O error). */
    Throwable failure;
    /** Delay a go-away asked for; negative when the connection ended without one. */
    long goAwayDelayMillis = -1;
    /** Code of the close frame the gateway sent; 0 when none was read. */
    int closeCode;
    /** The device ended this connection itself to reconnect at once (reconnect storm). */
    boolean droppedToStorm;

    DeviceConnection(GatewayEndpoint endpoint, int gatewaySlot) {
        this.endpoint = endpoint;
        this.gatewaySlot = gatewaySlot;
    }
}
