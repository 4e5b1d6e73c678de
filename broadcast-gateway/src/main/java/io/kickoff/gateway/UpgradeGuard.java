package io.kickoff.gateway;

import io.kickoff.http.BearerToken;
import io.kickoff.http.RetryAfter;
import io.kickoff.protocol.WireFormat;
import io.kickoff.protocol.token.DeviceClaims;
import io.kickoff.protocol.token.DeviceTokens;
import io.kickoff.protocol.token.TokenException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, before any WebSocket work, whether an upgrade request may become a device session,
 * in the order of docs/protocol.md §2: the gateway must be ready (503), the request must be a
 * WebSocket version 13 upgrade (400, 426), offer one of our sub-protocols (400) and present a
 * valid token as {@code Authorization: Bearer} or {@code ?token=} (401; 429 once the source has
 * spent its {@link AuthFailureBudget}). Every refusal is plain text with {@code Connection: close},
 * then the connection is closed.
 *
 * <p>An accepted request leaves a {@link DeviceSession} on the channel and goes on to admission
 * control and the handshake; only then does it take a device slot and a new-connection token.
 */
final class UpgradeGuard extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UpgradeGuard.class);
    private static final String WEBSOCKET_VERSION = "13";

    private final DeviceTokens tokens;
    private final BooleanSupplier ready;
    private final GatewayMetrics metrics;
    private final AuthFailureBudget authFailures;
    private final RetryAfter retryAfter;
    private final SegmentNames segments;

    public UpgradeGuard(DeviceTokens tokens, BooleanSupplier ready, GatewayMetrics metrics,
                        AuthFailureBudget authFailures, RetryAfter retryAfter, SegmentNames segments) {
        this.segments = segments;
        this.tokens = tokens;
        this.ready = ready;
        this.metrics = metrics;
        this.authFailures = authFailures;
        this.retryAfter = retryAfter;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        FullHttpResponse refusal = refusal(ctx, request);
        if (refusal != null) {
            try {
                PlainHttp.send(ctx, request, refusal, false);
            } finally {
                ReferenceCountUtil.release(request);
            }
            return;
        }
        // This connection is now a device session; the guard's work is done.
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(request);
    }

    /** The answer refusing the request, or {@code null} once a session is attached to the channel. */
    private FullHttpResponse refusal(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!ready.getAsBoolean()) {
            metrics.refused("not_ready");
            return retryAfter.on(PlainHttp.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "gateway is starting"));
        }
        String notAnUpgrade = notAWebSocketUpgrade(request);
        if (notAnUpgrade != null) {
            metrics.refused("bad_request");
            return PlainHttp.text(HttpResponseStatus.BAD_REQUEST, notAnUpgrade);
        }
        if (!WEBSOCKET_VERSION.equals(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION).trim())) {
            metrics.refused("bad_version");
            FullHttpResponse upgrade = PlainHttp.text(HttpResponseStatus.UPGRADE_REQUIRED,
                    "Sec-WebSocket-Version must be " + WEBSOCKET_VERSION);
            upgrade.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, WEBSOCKET_VERSION);
            return upgrade;
        }
        Optional<WireFormat> format = negotiate(request);
        if (format.isEmpty()) {
            metrics.refused("bad_subprotocol");
            return PlainHttp.text(HttpResponseStatus.BAD_REQUEST,
                    "Sec-WebSocket-Protocol must offer one of: " + WireFormat.allSubprotocols());
        }
        DeviceClaims claims;
        try {
            claims = tokens.verify(token(request));
        } catch (TokenException e) {
            // Verified first, charged after: a good token is never refused for its neighbours' bad ones.
            if (!authFailures.charge(ctx.channel().remoteAddress())) {
                metrics.refused("auth_failures");
                return retryAfter.on(PlainHttp.text(HttpResponseStatus.TOO_MANY_REQUESTS,
                        "too many refused tokens from this address; retry after Retry-After with a valid token"));
            }
            metrics.refused("unauthorized");
            log.debug("upgrade refused from {}: {} ({})", ctx.channel().remoteAddress(), e.reason(), e.getMessage());
            FullHttpResponse unauthorized = PlainHttp.text(HttpResponseStatus.UNAUTHORIZED, e.getMessage());
            // RFC 6750: no error code when no credentials were presented at all.
            unauthorized.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, e.reason() == TokenException.Reason.MISSING
                    ? "Bearer"
                    : "Bearer error=\"invalid_token\", error_description=\"" + e.reason().name().toLowerCase() + "\"");
            return unauthorized;
        }
        // The handshaker reads one Sec-WebSocket-Protocol line; RFC 6455 §11.3.4 allows several.
        request.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL,
                String.join(", ", request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)));
        ctx.channel().attr(DeviceSession.KEY).set(new DeviceSession(ctx.channel(), claims.deviceId(),
                segments.canonical(claims.segment()), claims.account(), format.get()));
        return null;
    }

    /**
     * Why this is no WebSocket upgrade (the checks of the handshaker, answered here in plain text),
     * or {@code null}; a missing {@code Sec-WebSocket-Version} is one of these, another version is not.
     */
    static String notAWebSocketUpgrade(FullHttpRequest request) {
        HttpHeaders headers = request.headers();
        if (!HttpMethod.GET.equals(request.method())) {
            return "a WebSocket upgrade is a GET, not " + request.method();
        }
        if (!headers.contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            return "not a WebSocket upgrade: Upgrade: websocket is missing";
        }
        if (!headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            return "not a WebSocket upgrade: Connection: Upgrade is missing";
        }
        String key = headers.get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (key == null || key.isBlank()) {
            return "not a WebSocket upgrade: Sec-WebSocket-Key is missing";
        }
        if (headers.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION) == null) {
            return "not a WebSocket upgrade: Sec-WebSocket-Version is missing (use " + WEBSOCKET_VERSION + ")";
        }
        return null;
    }

    /**
     * The first sub-protocol the client offers that we speak, over every {@code Sec-WebSocket-Protocol}
     * line in order: the handshaker picks the same one from the combined list.
     */
    static Optional<WireFormat> negotiate(FullHttpRequest request) {
        for (String line : request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
            for (String token : line.split(",")) {
                Optional<WireFormat> format = WireFormat.forSubprotocol(token.trim());
                if (format.isPresent()) {
                    return format;
                }
            }
        }
        return Optional.empty();
    }

    private static String token(FullHttpRequest request) {
        Optional<String> bearer = BearerToken.from(request.headers().get(HttpHeaderNames.AUTHORIZATION)).presented();
        if (bearer.isPresent()) {
            return bearer.get();
        }
        List<String> query = new QueryStringDecoder(request.uri()).parameters().get("token");
        return query == null || query.isEmpty() ? null : query.get(0);
    }
}
