package io.kickoff.lsm.api;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Drops the {@code Origin} of a request whose origin is this server itself ({@code Origin} equals the scheme and
 * {@code Host} it was sent to), so that the CORS handler after it treats the console's own writes (browsers send
 * {@code Origin} on same-origin POST and PATCH) as what they are, not as a cross-origin call from an origin it was
 * not configured for. The API takes bearer tokens only, never cookies, so nothing relies on {@code Origin} against
 * forged requests.
 */
@ChannelHandler.Sharable
final class SameOrigin extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            String origin = request.headers().get(HttpHeaderNames.ORIGIN);
            String host = request.headers().get(HttpHeaderNames.HOST);
            if (origin != null && host != null
                    && (origin.equalsIgnoreCase("http://" + host) || origin.equalsIgnoreCase("https://" + host))) {
                request.headers().remove(HttpHeaderNames.ORIGIN);
            }
        }
        ctx.fireChannelRead(msg);
    }
}
