package io.kickoff.lsm.api;

import io.kickoff.http.AnswerOrder;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * Keeps answers in request order when the console's files are asked for on a connection that also carries API
 * requests: a request under the console's prefix goes on to the file handler (which answers at once) only when every
 * answer queued before it on the connection has been written; API answers queued after it wait for it in turn
 * ({@link AnswerOrder}). Other requests pass straight on.
 */
@ChannelHandler.Sharable
final class ConsoleTurn extends ChannelInboundHandlerAdapter {
    private final String prefix;
    private final String bare;

    /** @param prefix the console's URL prefix, e.g. {@code /console/} */
    ConsoleTurn(String prefix) {
        this.prefix = prefix;
        this.bare = prefix.substring(0, prefix.length() - 1);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request) || !isConsole(request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        AnswerOrder.writeInTurn(ctx.channel(), CompletableFuture.completedFuture(msg), inTurn -> {
            if (ctx.executor().inEventLoop()) {
                ctx.fireChannelRead(inTurn);
                return;
            }
            try {
                // after the earlier answer's write, which is queued on the same loop
                ctx.executor().execute(() -> {
                    if (ctx.channel().isActive()) {
                        ctx.fireChannelRead(inTurn);
                    } else {
                        ReferenceCountUtil.release(inTurn);
                    }
                });
            } catch (RejectedExecutionException closing) {
                ReferenceCountUtil.release(inTurn);
            }
        }, error -> {
            ReferenceCountUtil.release(msg);
            ctx.close();
        });
    }

    private boolean isConsole(HttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).rawPath();
        return path.startsWith(prefix) || path.equals(bare);
    }
}
