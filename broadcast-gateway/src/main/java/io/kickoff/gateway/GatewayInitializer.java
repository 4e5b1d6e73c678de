package io.kickoff.gateway;

import io.kickoff.gateway.http.HttpEndpoints;
import io.kickoff.gateway.session.ClientFrameDecoder;
import io.kickoff.gateway.session.DeviceSessionHandler;
import io.kickoff.gateway.session.ServerFrameEncoder;
import io.kickoff.gateway.session.SessionRegistry;
import io.kickoff.gateway.session.UpgradeGuard;
import io.kickoff.gateway.state.WorldState;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceTokens;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.time.Clock;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/** The whole pipeline of a device connection, top to bottom. */
final class GatewayInitializer extends ChannelInitializer<SocketChannel> {
    /** Upgrade requests are headers only; anything bigger is not a device. */
    private static final int MAX_UPGRADE_REQUEST_BYTES = 8 * 1024;

    private final GatewayConfig config;
    private final DeviceTokens tokens;
    private final WorldState world;
    private final SessionRegistry registry;
    private final Clock clock;
    private final LongAdder acks;
    private final BooleanSupplier ready;
    private final HttpEndpoints endpoints;
    private final ServerFrameEncoder encoder = new ServerFrameEncoder();
    private final WebSocketServerProtocolConfig webSocketConfig;

    GatewayInitializer(GatewayConfig config, DeviceTokens tokens, WorldState world, SessionRegistry registry,
                       Clock clock, LongAdder acks, BooleanSupplier ready) {
        this.config = config;
        this.tokens = tokens;
        this.world = world;
        this.registry = registry;
        this.clock = clock;
        this.acks = acks;
        this.ready = ready;
        this.endpoints = new HttpEndpoints(ready);
        this.webSocketConfig = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(HttpEndpoints.WEBSOCKET_PATH)
                .subprotocols(WireFormat.allSubprotocols())
                .checkStartsWith(false)
                .handleCloseFrames(true)
                .dropPongFrames(true)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(config.maxFrameBytes())
                        .allowExtensions(false)
                        .build())
                .build();
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast("http", new HttpServerCodec());
        p.addLast("http-aggregate", new HttpObjectAggregator(MAX_UPGRADE_REQUEST_BYTES));
        p.addLast("endpoints", endpoints);                          // /healthz, /readyz, 404
        p.addLast("upgrade-guard", new UpgradeGuard(tokens, ready)); // 503, 400, 401 before any WebSocket work
        p.addLast("websocket", new WebSocketServerProtocolHandler(webSocketConfig));
        p.addLast("server-frames", encoder);                         // ServerFrame → WebSocket frame
        p.addLast("client-frames", new ClientFrameDecoder());        // WebSocket frame → ClientFrame
        p.addLast("session", new DeviceSessionHandler(config, world, registry, clock, acks));
    }
}
