package io.kickoff.gateway;

import io.kickoff.http.RetryAfter;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.function.BooleanSupplier;

/**
 * Answers a plain {@code GET /v1/connect} (no {@code Upgrade: websocket}) with what an upgrade would get now from
 * readiness and admission: 503 with {@code Retry-After} while the node is starting, draining or full, else 400 (it
 * is not an upgrade). A browser's WebSocket cannot read the status of a refused upgrade, so a browser client asks
 * this way after an open failed; the answer is readable from any origin ({@code Access-Control-Allow-Origin: *},
 * {@code Retry-After} exposed), and tells nothing a refused upgrade would not. Nothing is taken: no device slot, no
 * new-connection token, no token check.
 */
@ChannelHandler.Sharable
final class AdmissionCheck extends ChannelInboundHandlerAdapter {
    private final BooleanSupplier ready;
    private final AdmissionControl admission;
    private final RetryAfter retryAfter;

    AdmissionCheck(BooleanSupplier ready, AdmissionControl admission, RetryAfter retryAfter) {
        this.ready = ready;
        this.admission = admission;
        this.retryAfter = retryAfter;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request) || !isPlainGet(request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            FullHttpResponse answer = answer();
            answer.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                    .set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, HttpHeaderNames.RETRY_AFTER);
            PlainHttp.send(ctx, request, answer, false);
        } finally {
            ReferenceCountUtil.release(request);
        }
    }

    private FullHttpResponse answer() {
        if (!ready.getAsBoolean()) {
            return retryAfter.on(PlainHttp.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "gateway is starting"));
        }
        FullHttpResponse refusal = admission.refusalNow();
        return refusal != null ? refusal : PlainHttp.text(HttpResponseStatus.BAD_REQUEST,
                "not a WebSocket upgrade: Upgrade: websocket is missing (this node admits devices now)");
    }

    private static boolean isPlainGet(FullHttpRequest request) {
        return HttpMethod.GET.equals(request.method())
                && !request.headers().contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && new QueryStringDecoder(request.uri()).path().equals(HttpEndpoints.WEBSOCKET_PATH);
    }
}
