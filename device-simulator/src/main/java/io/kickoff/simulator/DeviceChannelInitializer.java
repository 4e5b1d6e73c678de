package io.kickoff.simulator;

import io.kickoff.protocol.WireFormat;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.ssl.SslContext;
import java.net.URI;

/** The pipeline of one device connection, from bytes on the wire down to the device's behaviour. */
final class DeviceChannelInitializer extends ChannelInitializer<SocketChannel> {
    /** Largest server message accepted; bundles are the big ones. */
    static final int MAX_FRAME_BYTES = 1 << 20;
    /** Enough for a refusal page; the upgrade response itself has no body. */
    private static final int MAX_HANDSHAKE_RESPONSE_BYTES = 64 * 1024;

    private final SimulatedDevice device;
    private final DeviceConnection connection;
    private final WebSocketClientProtocolConfig handshake;
    private final WireFormat format;
    private final SslContext tls;

    /** @param tls the fleet's TLS client context for a {@code wss://} gateway; null for {@code ws://} */
    DeviceChannelInitializer(SimulatedDevice device, DeviceConnection connection,
            WebSocketClientProtocolConfig handshake, WireFormat format, SslContext tls) {
        this.tls = tls;
        this.device = device;
        this.connection = connection;
        this.handshake = handshake;
        this.format = format;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        if (tls != null) {
            // wss: TLS first, with the gateway's name for SNI and for checking its certificate.
            URI uri = connection.endpoint.uri();
            channel.pipeline().addLast("tls", tls.newHandler(channel.alloc(), uri.getHost(), uri.getPort()));
        }
        channel.pipeline()
                // HTTP for the upgrade; the handshaker swaps these for WebSocket frame codecs once it succeeds.
                .addLast("http-codec", new HttpClientCodec())
                .addLast("http-aggregator", new HttpObjectAggregator(MAX_HANDSHAKE_RESPONSE_BYTES))
                // Upgrade with token and sub-protocol; answers pings, handles close frames.
                .addLast("websocket", new WebSocketClientProtocolHandler(handshake))
                // Notes the gateway's close code, then echoes it and closes.
                .addLast("close-observer", new CloseFrameObserver(connection))
                // Reassembles fragmented messages.
                .addLast("websocket-aggregator", new WebSocketFrameAggregator(MAX_FRAME_BYTES))
                // WebSocket frames <-> ServerFrame / ClientFrame.
                .addLast("wire-codec", new WireFrameCodec(format))
                // Pings at the welcome's interval; closes a silent connection.
                .addLast("heartbeat", new HeartbeatHandler())
                // The device: hello, apply, ack, go-away, reconnect.
                .addLast("device-session", new DeviceSessionHandler(device, connection));
    }
}
