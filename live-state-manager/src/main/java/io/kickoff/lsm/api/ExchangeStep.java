package io.kickoff.lsm.api;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * A step of the admin API pipeline: it sees each {@link Exchange} once, then passes it on ({@code ctx.fireChannelRead})
 * or answers it. Anything it throws answers the exchange with the matching problem ({@link Problems#of}); the
 * connection stays up.
 */
abstract class ExchangeStep extends ChannelInboundHandlerAdapter {

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Exchange exchange)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            step(ctx, exchange);
        } catch (RuntimeException e) {
            exchange.fail(e);
        }
    }

    /** Does this step's one job: passes {@code exchange} on with {@code ctx.fireChannelRead(exchange)}, or answers it. */
    protected abstract void step(ChannelHandlerContext ctx, Exchange exchange);
}
