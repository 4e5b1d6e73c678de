package io.kickoff.gateway.session;

import io.kickoff.gateway.http.PlainHttp;
import io.kickoff.gateway.metrics.GatewayMetrics;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceClaims;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.token.TokenException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, before any WebSocket work, whether an upgrade request may become a device session:
 * the gateway must be ready (503), the device must offer one of our sub-protocols (400) and
 * present a valid token as {@code Authorization: Bearer} or {@code ?token=} (401). An accepted
 * request leaves a {@link DeviceSession} on the channel and goes on to the handshake.
 */
public final class UpgradeGuard extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UpgradeGuard.class);

    private final DeviceTokens tokens;
    private final BooleanSupplier ready;
    private final GatewayMetrics metrics;

    public UpgradeGuard(DeviceTokens tokens, BooleanSupplier ready, GatewayMetrics metrics) {
        this.tokens = tokens;
        this.ready = ready;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!ready.getAsBoolean()) {
            FullHttpResponse busy = PlainHttp.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "gateway is starting");
            busy.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            metrics.refused("not_ready");
            refuse(ctx, request, busy);
            return;
        }
        Optional<WireFormat> format = negotiate(request);
        if (format.isEmpty()) {
            metrics.refused("bad_subprotocol");
            refuse(ctx, request, PlainHttp.text(HttpResponseStatus.BAD_REQUEST,
                    "Sec-WebSocket-Protocol must offer one of: " + WireFormat.allSubprotocols()));
            return;
        }
        DeviceClaims claims;
        try {
            claims = tokens.verify(token(request));
        } catch (TokenException e) {
            metrics.refused("unauthorized");
            log.debug("upgrade refused from {}: {} ({})", ctx.channel().remoteAddress(), e.reason(), e.getMessage());
            FullHttpResponse unauthorized = PlainHttp.text(HttpResponseStatus.UNAUTHORIZED, e.getMessage());
            // RFC 6750: no error code when no credentials were presented at all.
            unauthorized.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, e.reason() == TokenException.Reason.MISSING
                    ? "Bearer"
                    : "Bearer error=\"invalid_token\", error_description=\"" + e.reason().name().toLowerCase() + "\"");
            refuse(ctx, request, unauthorized);
            return;
        }
        ctx.channel().attr(DeviceSession.KEY).set(new DeviceSession(ctx.channel(), claims, format.get()));
        // This connection is now a device session; the guard's work is done.
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(request);
    }

    /** The first sub-protocol the client offers that we speak: the handshaker picks the same one. */
    static Optional<WireFormat> negotiate(FullHttpRequest request) {
        String offered = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        if (offered == null) {
            return Optional.empty();
        }
        for (String token : offered.split(",")) {
            Optional<WireFormat> format = WireFormat.forSubprotocol(token.trim());
            if (format.isPresent()) {
                return format;
            }
        }
        return Optional.empty();
    }

    private static String token(FullHttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        List<String> query = new QueryStringDecoder(request.uri()).parameters().get("token");
        return query == null || query.isEmpty() ? null : query.get(0);
    }

    private static void refuse(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
        try {
            PlainHttp.send(ctx, request, response, false);
        } finally {
            ReferenceCountUtil.release(request);
        }
    }
}
