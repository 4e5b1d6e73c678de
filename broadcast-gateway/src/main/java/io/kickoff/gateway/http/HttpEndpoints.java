package io.kickoff.gateway.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.function.BooleanSupplier;

/**
 * Answers the gateway's operational endpoints ({@code /healthz}, {@code /readyz}) and refuses
 * unknown paths; requests for the WebSocket path go on down the pipeline.
 */
@ChannelHandler.Sharable
public final class HttpEndpoints extends ChannelInboundHandlerAdapter {
    public static final String WEBSOCKET_PATH = "/v1/connect";

    private final BooleanSupplier ready;

    public HttpEndpoints(BooleanSupplier ready) {
        this.ready = ready;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        if (path.equals(WEBSOCKET_PATH)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            switch (path) {
                case "/healthz" -> PlainHttp.send(ctx, request, PlainHttp.text(HttpResponseStatus.OK, "ok"), true);
                case "/readyz" -> PlainHttp.send(ctx, request, ready.getAsBoolean()
                        ? PlainHttp.text(HttpResponseStatus.OK, "ready")
                        : PlainHttp.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: reading the state of the world"), true);
                default -> PlainHttp.send(ctx, request, PlainHttp.text(HttpResponseStatus.NOT_FOUND,
                        "no such endpoint; devices connect to " + WEBSOCKET_PATH), true);
            }
        } finally {
            ReferenceCountUtil.release(request);
        }
    }
}
