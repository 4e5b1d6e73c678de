package io.kickoff.gateway;

import io.kickoff.http.RetryAfter;
import io.kickoff.http.ServerTls;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceTokens;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.AttributeKey;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** The whole pipeline of a connection to the gateway, top to bottom. */
final class GatewayInitializer extends ChannelInitializer<Channel> {
    private final SessionServices services;
    private final DeviceTokens tokens;
    private final BooleanSupplier ready;
    private final AdmissionControl admission;
    private final AdmissionCheck admissionCheck;
    private final HttpEndpoints endpoints;
    private final ActivityClock activity = new ActivityClock();
    private final ServerFrameEncoder encoder = new ServerFrameEncoder();
    private final AuthFailureBudget authFailures;
    private final RetryAfter retryAfter;
    private final SegmentNames segments = new SegmentNames();
    private final ClientFrameDecoder decoder;
    private final WebSocketServerProtocolConfig webSocketConfig;
    private final Optional<ServerTls> tls;

    GatewayInitializer(SessionServices services, DeviceTokens tokens, BooleanSupplier ready, AdmissionControl admission,
                       HttpEndpoints endpoints) {
        this(services, tokens, ready, admission, endpoints, Optional.empty());
    }

    /** @param tls the certificate of {@code wss://}; empty: plain {@code ws://} */
    GatewayInitializer(SessionServices services, DeviceTokens tokens, BooleanSupplier ready, AdmissionControl admission,
                       HttpEndpoints endpoints, Optional<ServerTls> tls) {
        this.tls = tls;
        this.services = services;
        this.tokens = tokens;
        this.ready = ready;
        this.admission = admission;
        this.endpoints = endpoints;
        this.authFailures = new AuthFailureBudget(services.config());
        services.metrics().cache("gateway_auth_failure_sources", authFailures.sources());
        this.decoder = new ClientFrameDecoder(services.farewells(), services.config().inboundPerSecond(),
                services.config().inboundBurst());
        this.retryAfter = RetryAfter.between(services.config().retryAfterMin(), services.config().retryAfterMax());
        this.admissionCheck = new AdmissionCheck(ready, admission, retryAfter);
        this.webSocketConfig = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(HttpEndpoints.WEBSOCKET_PATH)
                .subprotocols(WireFormat.allSubprotocols())
                .checkStartsWith(true) // so that /v1/connect?token=... is the WebSocket path too
                .handleCloseFrames(false) // answered by WebSocketProtocol, which keeps no handshaker for it
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
    static final List<String> HTTP_ONLY = List.of("unreadable", "endpoints", "admission-check", "admission");

    @Override
    protected void initChannel(Channel ch) {
        GatewayConfig config = services.config();
        ChannelPipeline p = ch.pipeline();
        tls.ifPresent(t -> t.addTo(p));                              // wss: tls, tls-failures (plain HTTP: 400)
        p.addLast("activity", activity);                             // last read, writability (idle, slow consumer)
        p.addLast("http", UnreadableRequests.codec());               // request line ≤ 4 KiB, headers ≤ 8 KiB
        p.addLast("upgrade-deadline", new UpgradeDeadline(config.upgradeTimeout(), services.metrics())); // 408 + close
        p.addLast("http-aggregate", UnreadableRequests.aggregator()); // body ≤ 8 KiB, else 413
        p.addLast("unreadable", UnreadableRequests.guard());         // 414, 431, 400 for what the decoder refused
        p.addLast("endpoints", endpoints);                           // /healthz, /readyz, /metrics, /ops/drain, 404
        p.addLast("admission-check", admissionCheck);               // plain GET /v1/connect: 503 + Retry-After or 400
        p.addLast("upgrade-guard", new UpgradeGuard(tokens, ready, services.metrics(), authFailures, retryAfter, segments));
                                                                     // 503 starting, 400, 426, 401, 429
        p.addLast("admission", admission);                           // 503 draining, over capacity or rate; takes a device slot
        p.addLast("websocket", new WebSocketProtocol(webSocketConfig)); // handshake; 1009 over the cap
        p.addLast("reassemble", new WebSocketFrameAggregator(config.maxFrameBytes())); // fragments → one message
        p.addLast("server-frames", encoder);                         // ServerFrame → WebSocket frame
        p.addLast("session", new DeviceSessionHandler(services, decoder)); // frames → ClientFrame (1008, 1003, 1007);
                                                                     // hello/welcome, acks, pings
    }

    /**
     * The WebSocket handshake and protocol. Once the handshake is done the HTTP-only handlers leave,
     * and so does the handshaker, which Netty keeps on the channel (request URI, sub-protocol strings)
     * only to answer the device's close frame: this handler answers it itself, as the handshaker
     * would, with the same close frame, then closes the connection.
     */
    private static final class WebSocketProtocol extends WebSocketServerProtocolHandler {
        // Where WebSocketServerProtocolHandler keeps the handshaker (a named constant of Netty's pool).
        static final AttributeKey<WebSocketServerHandshaker> HANDSHAKER =
                AttributeKey.valueOf(WebSocketServerHandshaker.class, "HANDSHAKER");

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
                // Netty may store the handshaker after this event (the 101 can be written at once),
                // so it is dropped after the task that runs the handshake.
                ctx.executor().execute(() -> dropHandshaker(ctx.channel()));
            }
            super.userEventTriggered(ctx, evt);
        }

        @SuppressWarnings("deprecation") // getAndRemove: the attribute itself goes, not only its value
        private static void dropHandshaker(Channel channel) {
            if (channel.hasAttr(HANDSHAKER)) {
                channel.attr(HANDSHAKER).getAndRemove();
            }
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) throws Exception {
            if (frame instanceof CloseWebSocketFrame) {
                // RFC 6455 §5.5.1: answer with a close frame (the device's own, status included), then close.
                ctx.writeAndFlush(frame.retain()).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            super.decode(ctx, frame, out);
        }
    }
}
