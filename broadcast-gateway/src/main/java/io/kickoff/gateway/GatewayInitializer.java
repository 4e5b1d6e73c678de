package io.kickoff.gateway;

import io.kickoff.gateway.admission.AdmissionControl;
import io.kickoff.gateway.admission.AuthFailureBudget;
import io.kickoff.gateway.admission.UpgradeDeadline;
import io.kickoff.gateway.http.HttpEndpoints;
import io.kickoff.gateway.http.UnreadableRequests;
import io.kickoff.gateway.session.ActivityClock;
import io.kickoff.gateway.session.ClientFrameDecoder;
import io.kickoff.gateway.session.DeviceSessionHandler;
import io.kickoff.gateway.session.SegmentNames;
import io.kickoff.gateway.session.ServerFrameEncoder;
import io.kickoff.gateway.session.SessionServices;
import io.kickoff.gateway.session.UpgradeGuard;
import io.kickoff.http.RetryAfter;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceTokens;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.util.List;
import java.util.function.BooleanSupplier;

/** The whole pipeline of a connection to the gateway, top to bottom. */
final class GatewayInitializer extends ChannelInitializer<Channel> {
    private final SessionServices services;
    private final DeviceTokens tokens;
    private final BooleanSupplier ready;
    private final ChannelHandler admission;
    private final HttpEndpoints endpoints;
    private final ActivityClock activity = new ActivityClock();
    private final ServerFrameEncoder encoder = new ServerFrameEncoder();
    private final AuthFailureBudget authFailures;
    private final RetryAfter retryAfter;
    private final SegmentNames segments = new SegmentNames();
    private final WebSocketServerProtocolConfig webSocketConfig;

    GatewayInitializer(SessionServices services, DeviceTokens tokens, BooleanSupplier ready, ChannelHandler admission,
                       HttpEndpoints endpoints) {
        this.services = services;
        this.tokens = tokens;
        this.ready = ready;
        this.admission = admission;
        this.endpoints = endpoints;
        this.authFailures = new AuthFailureBudget(services.config());
        this.retryAfter = RetryAfter.between(services.config().retryAfterMin(), services.config().retryAfterMax());
        this.webSocketConfig = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(HttpEndpoints.WEBSOCKET_PATH)
                .subprotocols(WireFormat.allSubprotocols())
                .checkStartsWith(true) // so that /v1/connect?token=... is the WebSocket path too
                .handleCloseFrames(true)
                .dropPongFrames(true)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(services.config().maxFrameBytes())
                        .allowExtensions(false)
                        .closeOnProtocolViolation(false) // the session handler closes (after an error frame for 1009)
                        .build())
                .build();
    }

    /**
     * Handlers of the HTTP part of a connection, which a device connection no longer needs once its
     * handshake is done: each context and handler is memory held by every idle device. Admission
     * keeps counting the connection and its device slot until it closes ({@link AdmissionControl}).
     */
    static final List<String> HTTP_ONLY = List.of("unreadable", "endpoints", "admission");

    @Override
    protected void initChannel(Channel ch) {
        GatewayConfig config = services.config();
        ChannelPipeline p = ch.pipeline();
        p.addLast("activity", activity);                             // last read, writability (idle, slow consumer)
        p.addLast("http", UnreadableRequests.codec());               // request line ≤ 4 KiB, headers ≤ 8 KiB
        p.addLast("upgrade-deadline", new UpgradeDeadline(config.upgradeTimeout(), services.metrics())); // 408 + close
        p.addLast("http-aggregate", UnreadableRequests.aggregator()); // body ≤ 8 KiB, else 413
        p.addLast("unreadable", UnreadableRequests.guard());         // 414, 431, 400 for what the decoder refused
        p.addLast("endpoints", endpoints);                           // /healthz, /readyz, /metrics, /ops/drain, 404
        p.addLast("upgrade-guard", new UpgradeGuard(tokens, ready, services.metrics(), authFailures, retryAfter, segments));
                                                                     // 503 starting, 400, 426, 401, 429
        p.addLast("admission", admission);                           // 503 draining, over capacity or rate; takes a device slot
        p.addLast("websocket", new WebSocketProtocol(webSocketConfig)); // handshake; 1009 over the cap
        p.addLast("reassemble", new WebSocketFrameAggregator(config.maxFrameBytes())); // fragments → one message
        p.addLast("server-frames", encoder);                         // ServerFrame → WebSocket frame
        p.addLast("client-frames", new ClientFrameDecoder(services.farewells(),
                config.inboundPerSecond(), config.inboundBurst()));  // WebSocket frame → ClientFrame; 1008, 1003, 1007
        p.addLast("session", new DeviceSessionHandler(services));    // hello/welcome, acks, pings
    }

    /** The WebSocket handshake and protocol; once the handshake is done, the HTTP-only handlers leave. */
    private static final class WebSocketProtocol extends WebSocketServerProtocolHandler {
        WebSocketProtocol(WebSocketServerProtocolConfig config) {
            super(config);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof HandshakeComplete) {
                for (String name : HTTP_ONLY) {
                    if (ctx.pipeline().context(name) != null) {
                        ctx.pipeline().remove(name);
                    }
                }
            }
            super.userEventTriggered(ctx, evt);
        }
    }
}
